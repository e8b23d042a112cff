#!/usr/bin/env python3
"""The dependency rule of DESIGN.md section 7, as a test.

Each library folder may include only the project folders below it, and each third-party library
lives in exactly one folder. A forbidden include fails the test with file:line and the rule it breaks.
Run with a project root; `--self-test` first proves on a scratch tree that violations are caught.
"""
import os
import re
import sys
import tempfile

# Project folders each folder may include (besides itself).
ALLOWED_PROJECT = {
    "media": set(),
    "net": {"media"},
    "storage": {"media"},
    "cluster": {"media"},
    "actors": {"media", "net", "storage", "cluster"},
}

# Third-party header prefixes and the one folder that owns each. spdlog/fmt (logging) and the C/C++
# standard libraries are cross-cutting and allowed everywhere (docs/architecture.md says why).
THIRD_PARTY_OWNER = {
    "caf/": "actors",
    "boost/": "net",
    "nlohmann/": "net",
    "rocksdb/": "storage",
    "msgpack": "storage",  # cluster/ will share it as the gossip wire format (DESIGN.md section 7)
    "uv.h": "cluster",
    "libavformat/": "media",
    "libavcodec/": "media",
    "libavutil/": "media",
    "libswscale/": "media",
    "libswresample/": "media",
    "openssl/": "media",
    "CLI/": "actors",
    "toml++/": "actors",
}
SHARED_THIRD_PARTY = {"msgpack": {"storage", "cluster"}}

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
SOURCE = (".hpp", ".cpp", ".h", ".cc", ".ipp")


def violations(root):
    found = []
    for folder, allowed in ALLOWED_PROJECT.items():
        base = os.path.join(root, folder)
        if not os.path.isdir(base):
            continue
        for dirpath, _, files in os.walk(base):
            for name in files:
                if not name.endswith(SOURCE):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        inc = m.group(1)
                        top = inc.split("/", 1)[0]
                        rel = os.path.relpath(path, root)
                        if top in ALLOWED_PROJECT and top != folder and top not in allowed:
                            found.append(f"{rel}:{lineno}: {folder}/ may not include {inc} ({top}/ is not below it)")
                            continue
                        for prefix, owner in THIRD_PARTY_OWNER.items():
                            if inc.startswith(prefix):
                                owners = SHARED_THIRD_PARTY.get(prefix, {owner})
                                if folder not in owners:
                                    found.append(f"{rel}:{lineno}: {inc} belongs to {'/'.join(sorted(owners))}/ only, not {folder}/")
                                break
    return found


def self_test():
    with tempfile.TemporaryDirectory() as root:
        def write(rel, text):
            p = os.path.join(root, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(text)
        write("media/a.hpp", '#include "media/b.hpp"\n#include <libavformat/avformat.h>\n')
        write("net/a.cpp", '#include "media/a.hpp"\n#include <boost/asio.hpp>\n')
        assert violations(root) == [], violations(root)
        write("net/bad.cpp", '#include "storage/store.hpp"\n')
        write("media/bad.cpp", '#include "actors/node.hpp"\n#include <caf/all.hpp>\n')
        write("storage/bad.cpp", '#  include <boost/asio.hpp>\n')
        found = violations(root)
        assert len(found) == 4, found
    print("self-test: forbidden includes are detected")


def main():
    if len(sys.argv) < 2:
        print("usage: check_layering.py PROJECT_ROOT", file=sys.stderr)
        return 2
    self_test()
    found = violations(sys.argv[1])
    for v in found:
        print(v)
    if found:
        print(f"{len(found)} layering violation(s)")
        return 1
    print("layering ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
