#!/usr/bin/python3
"""Saves the X screen the tests run on as a PNG: screenshot.py PATH

Used instead of WebDriver's screenshot command: with GPU compositing off (the app's
default on Linux, src-tauri/src/webview.rs) WebKitWebDriver's screenshot never returns on
some pages, and the session hangs with it. This captures what the X server shows, which
is also what a user sees. Needs python3-gi and gir1.2-gtk-3.0 (scripts/setup.sh test).
"""

import sys

import gi

gi.require_version("Gdk", "3.0")
from gi.repository import Gdk  # noqa: E402

root = Gdk.get_default_root_window()
if root is None:
    sys.exit("no X display")
pixbuf = Gdk.pixbuf_get_from_window(root, 0, 0, root.get_width(), root.get_height())
if pixbuf is None:
    sys.exit("could not read the X screen")
pixbuf.savev(sys.argv[1], "png", [], [])
