#!/usr/bin/python3
"""RTSP camera for bench/motion: serves H.264 MP4 files at their own frame rate (GStreamer's RTSP server).

Run with Debian's system python (/usr/bin/python3, which has `gi`):

    rtsp-file-server.py --port P --mount /360p=/abs/scene360.mp4 [--mount /1080p=/abs/scene1080.mp4 ...]

Each client gets its own pipeline from the start of the file (not shared), stream copy (no re-encode),
SPS/PPS in band before every key frame like an IP camera, paced by the pipeline clock. The server
only listens on 127.0.0.1. Prints "ready" on stdout once listening.
"""

import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def launch(path: str) -> str:
    return (
        f'( filesrc location="{path}" ! qtdemux ! h264parse config-interval=-1 '
        "! rtph264pay name=pay0 pt=96 config-interval=-1 )"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mount", action="append", required=True, help="/path=/abs/file.mp4")
    args = parser.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    mounts = server.get_mount_points()
    for spec in args.mount:
        path, _, file = spec.partition("=")
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch(file))
        factory.set_shared(False)
        mounts.add_factory(path, factory)

    if server.attach(None) == 0:
        print(f"cannot listen on port {args.port}", file=sys.stderr, flush=True)
        sys.exit(1)
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    print("ready", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
