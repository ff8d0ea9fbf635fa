"""Check or prune hil-bench's cache ($HIL_BENCH_CACHE, default ~/.cache/hil-bench).

Every cache entry -- a trained stage (stages/), a compiled object (objects/), a firmware image
(firmware/, kernel-check/), a host build of the runtime (programs/), a converted zoo model (zoo_models/)
-- records the size and SHA-256 of its files when it is written, and every read checks them: a damaged
entry is rebuilt, with one line saying so, never used.

  hil-bench cache verify          # check every entry now; exit 1 naming each damaged one
  hil-bench cache clean           # remove the damaged entries (and builds that were killed)
  hil-bench cache clean --all     # remove everything hil-bench cached (logs/ is kept)

`verify` also checks each firmware image's model against the weight CRC-32 table the build embedded
beside it, as `run` and `bench` do before they use a cached image.
"""

from __future__ import annotations

NAME = "cache"
HELP = "check every cache entry (verify) or remove damaged ones (clean, or clean --all for everything)"
KEEP = ("logs",)   # not a cache: internal-error tracebacks and TensorFlow's log


def add_arguments(p) -> None:
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    what = ("check every entry against its recorded digests (and every firmware image's weights against their "
            "CRC-32 table); exit 1 naming each damaged one")
    verify = actions.add_parser("verify", help=what, description=what[0].upper() + what[1:] + ".")
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    what = ("remove damaged entries and the folders of builds that were killed (the commands that need them "
            "rebuild them); with --all, everything cached")
    clean = actions.add_parser("clean", help=what, description=what[0].upper() + what[1:] + ".")
    clean.add_argument("--all", action="store_true",
                       help="remove everything hil-bench cached (trained stages, objects, images, host builds, zoo "
                            "models); the next commands rebuild what they need. logs/ is kept")
    clean.add_argument("--json", action="store_true", help="print what was removed as JSON")


def _checked():
    """(every entry, the damaged ones) with firmware images' weights checked as well."""
    import dataclasses

    from hil_bench.cache import scan
    from hil_bench.firmware.image import weights_problem

    entries = []
    for entry in scan():
        if not entry.problem and entry.kind == "firmware" and (entry.path / "model_data.c").is_file():
            entry = dataclasses.replace(entry, problem=weights_problem(entry.path / "firmware.elf"))
        entries.append(entry)
    return entries, [e for e in entries if e.problem]


def _size(path) -> int:
    if path.is_file() or path.is_symlink():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _as_json(entry, root) -> dict:
    return {"kind": entry.kind, "entry": str(entry.path.relative_to(root)), "label": entry.label,
            "problem": entry.problem}


def run(args) -> int:
    from hil_bench.cache import cache_dir, remove_path
    from hil_bench.cli.output import print_json

    try:
        root = cache_dir()
    except OSError as exc:
        from hil_bench.errors import UsageError

        where = exc.filename or "the cache folder"
        raise UsageError(f"cannot use {where} as the cache folder ({exc.strerror or exc}); set HIL_BENCH_CACHE to a "
                         "folder you can write") from None
    if args.action == "clean" and args.all:
        gone = [p for p in sorted(root.iterdir()) if p.name not in KEEP]
        freed = sum(_size(p) for p in gone)
        for path in gone:
            remove_path(path)
        if args.json:
            print_json({"cache": str(root), "removed": [p.name for p in gone], "bytes_freed": freed})
        else:
            print(f"removed everything cached in {root} ({len(gone)} folders and files, {freed:,} bytes); "
                  f"kept {', '.join(KEEP)}/")
        return 0
    entries, damaged = _checked()
    if args.action == "clean":
        freed = sum(_size(e.path) for e in damaged)
        for entry in damaged:
            remove_path(entry.path)
        if args.json:
            print_json({"cache": str(root), "removed": [_as_json(e, root) for e in damaged], "bytes_freed": freed,
                        "kept": len(entries) - len(damaged)})
        else:
            print(f"removed {len(damaged)} damaged entries ({freed:,} bytes) from {root}; "
                  f"{len(entries) - len(damaged)} intact entries kept")
            for entry in damaged:
                print(f"  {entry.path.relative_to(root)}: {entry.problem}")
        return 0
    kinds: dict[str, int] = {}
    for entry in entries:
        kinds[entry.kind] = kinds.get(entry.kind, 0) + 1
    if args.json:
        print_json({"cache": str(root), "checked": len(entries), "by_kind": kinds,
                    "damaged": [_as_json(e, root) for e in damaged]})
        return 1 if damaged else 0
    counts = ", ".join(f"{kind} {n}" for kind, n in kinds.items()) or "none"
    print(f"{root}: {len(entries)} entries checked ({counts}); {len(damaged)} damaged")
    for entry in damaged:
        label = f" ({entry.label})" if entry.label else ""
        print(f"  {entry.path.relative_to(root)}{label}: {entry.problem}")
    if damaged:
        print("each is rebuilt when next needed; `hil-bench cache clean` removes them now")
    return 1 if damaged else 0
