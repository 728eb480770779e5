#!/usr/bin/python3
"""Drags files onto a point of the X screen the way a user does with a file manager.

A small GTK window offers the files (text/uri-list) as a drag source; the pointer is
then moved and the button pressed and released through the XTEST extension, which the
X server handles as real input. GTK starts an XDND drag from the source and the window
under the pointer receives a real drop (for Outpost: WebKitGTK -> wry -> tao -> Tauri's
WindowEvent::DragDrop, the path of every user drop).

usage: xdnd_drag.py TARGET_X TARGET_Y FILE...   (needs python3-gi, GTK 3, libXtst)
Exits 0 once the drop was sent and the target took it, 1 otherwise.
"""

import ctypes
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GLib, Gtk  # noqa: E402

tx, ty = int(sys.argv[1]), int(sys.argv[2])
uris = [GLib.filename_to_uri(p, None) for p in sys.argv[3:]]

x11 = ctypes.CDLL("libX11.so.6")
xtst = ctypes.CDLL("libXtst.so.6")
x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
x11.XFlush.argtypes = [ctypes.c_void_p]
xtst.XTestFakeMotionEvent.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_ulong]
xtst.XTestFakeButtonEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]
dpy = x11.XOpenDisplay(None)
if not dpy:
    sys.exit("no X display")

SX, SY, SIZE = 20, 20, 120
outcome = {"sent": False, "ok": False}

win = Gtk.Window(title="drag source")
win.set_decorated(False)
win.set_default_size(SIZE, SIZE)
win.move(SX, SY)
src = Gtk.Button(label="files")
win.add(src)
src.drag_source_set(Gdk.ModifierType.BUTTON1_MASK, [], Gdk.DragAction.COPY)
src.drag_source_add_uri_targets()


def on_get(_w, _ctx, data, _info, _time):
    data.set_uris(uris)
    outcome["sent"] = True


def on_end(_w, _ctx):
    GLib.timeout_add(300, Gtk.main_quit)


def on_failed(_w, _ctx, result):
    print(f"drag failed: {result}", file=sys.stderr)
    GLib.timeout_add(100, Gtk.main_quit)
    return True


src.connect("drag-data-get", on_get)
src.connect("drag-end", on_end)
src.connect("drag-failed", on_failed)


def move(x, y):
    xtst.XTestFakeMotionEvent(dpy, -1, x, y, 0)
    x11.XFlush(dpy)


def steps():
    """Press on the source, move to the target in small steps, release."""
    cx, cy = SX + SIZE // 2, SY + SIZE // 2
    yield lambda: move(cx, cy)
    yield lambda: (xtst.XTestFakeButtonEvent(dpy, 1, 1, 0), x11.XFlush(dpy))
    n = 40
    for i in range(1, n + 1):
        x = cx + (tx - cx) * i // n
        y = cy + (ty - cy) * i // n
        yield lambda x=x, y=y: move(x, y)
    for _ in range(10):  # hover: let the target answer XdndPosition
        yield lambda: move(tx, ty)
    yield lambda: (xtst.XTestFakeButtonEvent(dpy, 1, 0, 0), x11.XFlush(dpy))


it = steps()


def tick():
    try:
        next(it)()
        return True
    except StopIteration:
        return False


def start():
    GLib.timeout_add(30, tick)
    return False


win.connect("map-event", lambda *_: GLib.timeout_add(500, start) and False)
GLib.timeout_add_seconds(20, Gtk.main_quit)
win.show_all()
Gtk.main()
print("sent" if outcome["sent"] else "not sent", file=sys.stderr)
sys.exit(0 if outcome["sent"] else 1)
