"""The console entry point, kept tiny so signals are handled from the first instruction.

Importing the CLI takes ~100 ms (typer, rich, yaml, jsonschema); a Ctrl-C in
that window used to print a traceback. Handlers are installed here, before
anything heavy is imported. SIGTERM unwinds like Ctrl-C, so an atomic write
in progress removes its temporary file on the way out.
"""

from __future__ import annotations

# the C module: ``signal`` would first import ``enum``, itself slow enough to be interrupted
import _signal as signal
import sys


class Terminated(BaseException):
    """SIGTERM (or SIGHUP): stop now, cleaning up like an interrupt."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated(signum)


def install_signal_handlers() -> dict[int, object]:
    """Install the handlers; returns the previous ones (for :func:`restore_signal_handlers`)."""
    previous: dict[int, object] = {}
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) is not signal.SIG_IGN:
            previous[sig] = signal.signal(sig, _terminate)
    return previous


def restore_signal_handlers(previous: dict[int, object]) -> None:
    """Put back what was there: ``cli.main()`` called inside another program leaves no trace."""
    for sig, handler in previous.items():
        try:
            signal.signal(sig, handler)
        except (TypeError, ValueError):
            pass


def stopped(exc: BaseException) -> int:
    """Exit code and message for an interrupt or termination: no traceback."""
    try:
        from planctl.write import remove_live_temporaries

        remove_live_temporaries()
    except BaseException:
        pass
    try:
        if isinstance(exc, Terminated):
            sys.stderr.write("planctl: terminated\n")
            return 128 + int(exc.args[0]) if exc.args else 143
        sys.stderr.write("planctl: interrupted\n")
    except BaseException:
        pass
    return 130


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        # answered before typer (~100 ms) is imported; the same line typer's option prints
        from planctl._version import __version__

        sys.stdout.write(f"planctl {__version__}\n")
        sys.stdout.flush()
        return
    install_signal_handlers()
    # Importing the command line creates ~100,000 long-lived objects (modules, classes,
    # functions) and the collector ran ~50 times over them for nothing (~10 ms). They
    # are frozen out of it instead; what the command then allocates is collected as usual.
    import gc

    gc.disable()
    try:
        from planctl import classcode

        classcode.install()  # the dataclasses' methods compiled once, not in every run
        from planctl.cli import main as cli_main
    except (KeyboardInterrupt, Terminated) as exc:
        sys.exit(stopped(exc))
    finally:
        gc.freeze()
        gc.enable()
    cli_main()


if __name__ == "__main__":
    main()
