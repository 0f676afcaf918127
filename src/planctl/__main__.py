try:  # a Ctrl-C while the entry module itself loads
    from planctl._entry import main
except KeyboardInterrupt:
    import sys

    sys.stderr.write("planctl: interrupted\n")
    sys.exit(130)

main()
