#!/usr/bin/env python3
"""What a window manager does to the app's window, for the e2e tests (Xvfb has none).

    x11.py find TITLE     prints the ids of the top-level windows named TITLE that take
                          WM_DELETE_WINDOW (the app's own windows), one per line
    x11.py close ID       asks window ID to close, as a title bar's close button does
                          (a WM_PROTOCOLS / WM_DELETE_WINDOW client message, ICCCM 4.2.8.1)
    x11.py mapped ID      prints "yes" when window ID is shown, "no" when it is hidden

Only libX11 through ctypes: nothing to install beyond the display the tests already use.
"""
import ctypes
import ctypes.util
import sys

X = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
Window = ctypes.c_ulong
Atom = ctypes.c_ulong
X.XOpenDisplay.restype = ctypes.c_void_p
X.XOpenDisplay.argtypes = [ctypes.c_char_p]
X.XDefaultRootWindow.restype = Window
X.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
X.XInternAtom.restype = Atom
X.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
X.XQueryTree.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(Window), ctypes.POINTER(Window),
                         ctypes.POINTER(ctypes.POINTER(Window)), ctypes.POINTER(ctypes.c_uint)]
X.XFetchName.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(ctypes.c_char_p)]
X.XGetWMProtocols.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(ctypes.POINTER(Atom)),
                              ctypes.POINTER(ctypes.c_int)]
X.XFree.argtypes = [ctypes.c_void_p]
X.XSendEvent.argtypes = [ctypes.c_void_p, Window, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
X.XFlush.argtypes = [ctypes.c_void_p]
X.XCloseDisplay.argtypes = [ctypes.c_void_p]

CLIENT_MESSAGE = 33
IS_VIEWABLE = 2


class ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", Window), ("message_type", Atom),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]


class WindowAttributes(ctypes.Structure):
    # XWindowAttributes up to map_state, padded generously for the rest.
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int),
                ("height", ctypes.c_int), ("border_width", ctypes.c_int), ("depth", ctypes.c_int),
                ("visual", ctypes.c_void_p), ("root", Window), ("class_", ctypes.c_int),
                ("bit_gravity", ctypes.c_int), ("win_gravity", ctypes.c_int),
                ("backing_store", ctypes.c_int), ("backing_planes", ctypes.c_ulong),
                ("backing_pixel", ctypes.c_ulong), ("save_under", ctypes.c_int),
                ("colormap", ctypes.c_ulong), ("map_installed", ctypes.c_int),
                ("map_state", ctypes.c_int), ("rest", ctypes.c_long * 16)]


X.XGetWindowAttributes.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(WindowAttributes)]


def children(display, window):
    root, parent = Window(), Window()
    kids, count = ctypes.POINTER(Window)(), ctypes.c_uint()
    if not X.XQueryTree(display, window, ctypes.byref(root), ctypes.byref(parent),
                        ctypes.byref(kids), ctypes.byref(count)):
        return []
    found = [kids[i] for i in range(count.value)]
    if kids:
        X.XFree(kids)
    return found


def name(display, window):
    raw = ctypes.c_char_p()
    if not X.XFetchName(display, window, ctypes.byref(raw)) or not raw.value:
        return None
    value = raw.value.decode("utf-8", "replace")
    X.XFree(raw)
    return value


def takes_delete(display, window, delete):
    atoms, count = ctypes.POINTER(Atom)(), ctypes.c_int()
    if not X.XGetWMProtocols(display, window, ctypes.byref(atoms), ctypes.byref(count)):
        return False
    found = any(atoms[i] == delete for i in range(count.value))
    X.XFree(atoms)
    return found


def main(argv):
    if len(argv) != 3 or argv[1] not in ("find", "close", "mapped"):
        sys.exit(__doc__)
    display = X.XOpenDisplay(None)
    if not display:
        sys.exit("x11.py: cannot open the display (DISPLAY unset?)")
    delete = X.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
    try:
        if argv[1] == "find":
            for window in children(display, X.XDefaultRootWindow(display)):
                if name(display, window) == argv[2] and takes_delete(display, window, delete):
                    print(hex(window))
        elif argv[1] == "close":
            window = int(argv[2], 0)
            event = ClientMessage(type=CLIENT_MESSAGE, window=window, format=32,
                                  message_type=X.XInternAtom(display, b"WM_PROTOCOLS", 0))
            event.data[0] = delete
            event.data[1] = 0  # CurrentTime
            if not X.XSendEvent(display, window, 0, 0, ctypes.byref(event)):
                sys.exit(f"x11.py: the close request to {argv[2]} was not sent")
            X.XFlush(display)
        else:
            attributes = WindowAttributes()
            if not X.XGetWindowAttributes(display, int(argv[2], 0), ctypes.byref(attributes)):
                sys.exit(f"x11.py: no window {argv[2]}")
            print("yes" if attributes.map_state == IS_VIEWABLE else "no")
    finally:
        X.XCloseDisplay(display)


if __name__ == "__main__":
    main(sys.argv)
