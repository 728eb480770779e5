#!/usr/bin/python3
"""Closes a window the way a window manager's close button does: wm_close.py PID

Sends the ICCCM WM_DELETE_WINDOW message (a WM_PROTOCOLS ClientMessage) to every
top-level X window of process PID (_NET_WM_PID) that takes it. This is what a window
manager sends when a person clicks the close button or presses Alt+F4: the app gets a
close request and runs its normal exit path (unlike a kill, or a WebDriver window close,
which bypass it). Needs python3-xlib (scripts/setup.sh test).

Exits 0 once the message was sent to at least one window, 1 if no window of PID takes it.
"""

import sys

from Xlib import X, display, protocol

pid = int(sys.argv[1])
d = display.Display()
root = d.screen().root
WM_PROTOCOLS = d.intern_atom("WM_PROTOCOLS")
WM_DELETE_WINDOW = d.intern_atom("WM_DELETE_WINDOW")
NET_WM_PID = d.intern_atom("_NET_WM_PID")


def window_pid(w):
    prop = w.get_full_property(NET_WM_PID, X.AnyPropertyType)
    return prop.value[0] if prop is not None and len(prop.value) else None


sent = []
for w in root.query_tree().children:
    try:
        if window_pid(w) != pid:
            continue
        if WM_DELETE_WINDOW not in (w.get_wm_protocols() or []):
            continue
        if w.get_attributes().map_state != X.IsViewable:
            continue
        ev = protocol.event.ClientMessage(
            window=w,
            client_type=WM_PROTOCOLS,
            data=(32, [WM_DELETE_WINDOW, X.CurrentTime, 0, 0, 0]),
        )
        w.send_event(ev, event_mask=X.NoEventMask)
        sent.append(f"{w.id:#x} {w.get_wm_name()!r}")
    except Exception as e:  # a window that went away while we looked: skip it
        print(f"window {w.id:#x}: {e}", file=sys.stderr)
d.flush()
d.close()
if not sent:
    sys.exit(f"no viewable window of pid {pid} takes WM_DELETE_WINDOW")
print("WM_DELETE_WINDOW sent to " + ", ".join(sent), file=sys.stderr)
