#!/usr/bin/env python3
# tests/unit/layers.py: the library's folders form the one-way layers of ARCHITECTURE.md: no object file uses a
# function or data of a higher layer or of another folder of its own (read with nm), no file includes such a header,
# no folder includes what another keeps to itself (its *_internal.h), and no folder's CMakeLists.txt puts another
# folder on the include path. The renderer module (render/module/, libeseal-render.so.0, loaded with dlopen) is the
# only code that uses cairo, pango and Poppler, and it uses nothing of the library: no other file includes their
# headers or calls them, and the module neither calls nor includes a library folder's code. The XML module (xml/ but
# xml.c, libeseal-xml.so.0, loaded with dlopen) is the only code that uses libxml2 and xmlsec: it keeps the layers of
# xml/ and calls back only the library functions xml/module_imports.txt names, and the library reaches it only
# through xml/xml.h's table.
# usage: layers.py SOURCE_DIR OBJECT... [--module OBJECT...] [--xml-module OBJECT...]
#        (the eseal target's objects, or one directory holding them; then the eseal_render target's objects, then
#        the eseal_xml target's)
import os
import re
import subprocess
import sys

# Folder -> layer, read from the table in ARCHITECTURE.md ("| 2 | `pki/` | ..."): lower numbers are lower layers;
# a folder may use itself and the folders of lower layers, not another folder of its own layer (pdf/ and xml/).
LAYERS = {}
LIBRARY = []
ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*`([a-z]+)/`\s*\|")


def read_layers(src):
    with open(os.path.join(src, "ARCHITECTURE.md"), encoding="utf-8") as fh:
        for line in fh:
            m = ROW.match(line)
            if m:
                LAYERS[m.group(2)] = int(m.group(1))
    LIBRARY.extend(f for f in LAYERS if f != "plugins")


def allowed(user, used):
    return user == used or LAYERS[used] < LAYERS[user]


def nm(paths):
    """{object: (defined, undefined)} global symbols of each object, from one nm run."""
    out = subprocess.run(["nm", "-P", "-A"] + paths, check=True, capture_output=True, text=True).stdout
    syms = {p: (set(), set()) for p in paths}
    for line in out.splitlines():
        # "path: name kind [value size]"
        path, _, rest = line.partition(": ")
        parts = rest.split()
        if path not in syms or len(parts) < 2:
            continue
        name, kind = parts[0], parts[1]
        if kind == "U":
            syms[path][1].add(name)
        elif kind.isupper() and kind not in "VW":  # global definitions; weak ones (inline, C++) decide nothing
            syms[path][0].add(name)
    return syms


def library_objects(src, args):
    """(folder, source, object) for each object of the library, from the objects named or those under one
    directory, and the folders of objects the layer table does not name."""
    paths = args
    if len(args) == 1 and os.path.isdir(args[0]):
        paths = [os.path.join(r, f) for r, _, fs in os.walk(args[0]) for f in fs]
    objects, strays = [], set()
    for path in sorted(paths):
        m = re.search(r"([^/]+)/([^/]+\.c)\.o$", path)
        if not m:
            continue
        folder, name = m.group(1), m.group(2)
        # An object whose source is gone (moved or deleted since that build) is no part of the library.
        if not os.path.exists(os.path.join(src, folder, name)):
            continue
        if folder in LIBRARY:
            objects.append((folder, f"{folder}/{name}", path))
        else:
            strays.add(folder)
    return objects, strays


def check_module(objects, module_objects, problems):
    """The library calls no drawing library; the module calls nothing of the library (it is loaded into programs
    that do not export the library's functions)."""
    syms = nm([o[2] for o in objects] + module_objects)
    defined = {}
    for folder, source, path in objects:
        for sym in syms[path][0]:
            defined[sym] = source
        for sym in sorted(syms[path][1]):
            if DRAWING_SYMBOL.match(sym):
                problems.append(f"{source}: calls {sym}: cairo, pango and Poppler are the renderer module's "
                                f"({MODULE}/), reached through es_render_ops")
    for path in module_objects:
        for sym in sorted(syms[path][1]):
            if sym in defined:
                problems.append(f"{os.path.basename(path)} (renderer module): uses {sym} of {defined[sym]}: the "
                                "module is a library of its own; what it needs comes through its table's arguments")


def check_xml_module(src, objects, xml_objects, owner, problems):
    """The XML module's objects keep xml/'s layer and call back exactly the library functions module_imports.txt
    names (the programs export those); the library calls no XML library and nothing of the module's."""
    syms = nm([o[2] for o in objects] + xml_objects)
    module_defs = {}
    for path in xml_objects:
        for sym in syms[path][0]:
            module_defs[sym] = f"xml/{os.path.basename(path)[:-2]}"
    for folder, source, path in objects:
        for sym in sorted(syms[path][1]):
            if XML_SYMBOL.match(sym):
                problems.append(f"{source}: calls {sym}: libxml2 and xmlsec are the XML module's, reached through "
                                "xml/xml.h")
            elif sym in module_defs:
                problems.append(f"{source}: calls {sym} of {module_defs[sym]}, which is the XML module's: reach it "
                                "through xml/xml.h's table")
    with open(os.path.join(src, "xml", "module_imports.txt"), encoding="utf-8") as fh:
        listed = {line.strip() for line in fh if line.strip() and not line.startswith("#")}
    called = set()
    for path in xml_objects:
        source = f"xml/{os.path.basename(path)[:-2]}"
        for sym in sorted(syms[path][1]):
            if sym not in owner or sym in module_defs:
                continue
            called.add(sym)
            to_folder, to_source = owner[sym]
            if not allowed("xml", to_folder):
                problems.append(f"{source} (XML module): uses {sym} of {to_source} (xml/ layer {LAYERS['xml']} "
                                f"-> {to_folder}/ layer {LAYERS[to_folder]})")
            elif sym not in listed:
                problems.append(f"{source} (XML module): calls {sym} of {to_source}, which xml/module_imports.txt "
                                "does not name: the programs would not export it and loading the module fails")
    for sym in sorted(listed - called):
        problems.append(f"xml/module_imports.txt: names {sym}, which the XML module no longer calls")


def check_symbols(src, args, problems, module_objects, xml_objects):
    objects, strays = library_objects(src, args)
    for folder in sorted(strays):
        problems.append(f"{folder}/: the library has objects there, but ARCHITECTURE.md gives the folder no layer")
    if not objects:
        problems.append(f"{' '.join(args)}: no object files of the library (build the eseal target first)")
        return 0
    owner = {}
    uses = []
    syms = nm([o[2] for o in objects])
    for folder, source, path in objects:
        defined, undefined = syms[path]
        for sym in defined:
            owner[sym] = (folder, source)
        uses.append((folder, source, undefined))
    for folder, source, undefined in uses:
        for sym in sorted(undefined):
            if sym not in owner:
                continue
            to_folder, to_source = owner[sym]
            if not allowed(folder, to_folder):
                problems.append(f"{source}: uses {sym} of {to_source} ({folder}/ layer {LAYERS[folder]} "
                                f"-> {to_folder}/ layer {LAYERS[to_folder]})")
    if module_objects:
        check_module(objects, module_objects, problems)
    if xml_objects:
        check_xml_module(src, objects, xml_objects, owner, problems)
    return len(objects)


INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
# The renderer module: where it lives, the libraries only it may use (headers and symbols), what it may include.
MODULE = "render/module"
DRAWING_HEADER = re.compile(r"^\s*#\s*include\s+<((?:cairo|pango/|poppler|glib)[^>]*)>")
DRAWING_SYMBOL = re.compile(r"^(cairo_|pango_|poppler_|g_object_|g_bytes_|g_error_)")
MODULE_MAY_INCLUDE = ("render/render.h", "module_internal.h")
# The XML module: its libraries' headers and symbols; what the library may include of it.
XML_LIBRARY = "xml/xml.c"
XML_HEADER = re.compile(r"^\s*#\s*include\s+<((?:libxml|xmlsec)/[^>]*)>")
XML_SYMBOL = re.compile(r"^(xml[A-Z]|xmlSec|html[A-Z]|xslt)")


def include_target(src, path, name):
    """The folder an #include "name" in src/path reaches, or None when it is no library folder (public, tests)."""
    here = os.path.dirname(path)
    if "/" not in name:
        if os.path.exists(os.path.join(src, here, name)):
            return here.split("/")[0]
        if os.path.exists(os.path.join(src, "core", name)):
            return "core"
        return None
    top = os.path.normpath(name).split("/")[0]
    return top if top in LAYERS else None


def check_includes(src, problems):
    count = 0
    for folder in LAYERS:
        for root, _, files in os.walk(os.path.join(src, folder)):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                path = os.path.relpath(os.path.join(root, f), src)
                in_module = path.startswith(MODULE + "/")
                in_xml_module = folder == "xml" and path != XML_LIBRARY
                with open(os.path.join(src, path), encoding="utf-8") as fh:
                    for lineno, line in enumerate(fh, 1):
                        d = DRAWING_HEADER.match(line)
                        # The front ends are programs of their own: the printer application draws with cairo.
                        if d and folder in LIBRARY and not in_module:
                            problems.append(f"{path}:{lineno}: includes <{d.group(1)}>: cairo, pango and Poppler "
                                            f"are the renderer module's ({MODULE}/), reached through render/render.h")
                        x = XML_HEADER.match(line)
                        if x and folder in LIBRARY and not in_xml_module:
                            problems.append(f"{path}:{lineno}: includes <{x.group(1)}>: libxml2 and xmlsec are the "
                                            "XML module's (xml/ but xml.c), reached through xml/xml.h")
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        count += 1
                        # The XML module is reached through its table: another folder, and xml.c, include only
                        # xml/xml.h of it.
                        name = os.path.normpath(os.path.join(os.path.dirname(path), m.group(1))) \
                            if "/" not in m.group(1) else m.group(1)
                        if (folder != "xml" or path == XML_LIBRARY) and name.startswith("xml/") and \
                                name != "xml/xml.h":
                            problems.append(f"{path}:{lineno}: includes \"{m.group(1)}\", which is the XML "
                                            "module's: the library reaches it only through xml/xml.h")
                        if in_module and m.group(1) not in MODULE_MAY_INCLUDE:
                            problems.append(f"{path}:{lineno}: includes \"{m.group(1)}\": the renderer module "
                                            "knows the library only through render/render.h")
                            continue
                        to = include_target(src, path, m.group(1))
                        if to and not allowed(folder, to):
                            problems.append(f"{path}:{lineno}: includes \"{m.group(1)}\" ({folder}/ layer "
                                            f"{LAYERS[folder]} -> {to}/ layer {LAYERS[to]})")
                        # What a folder's files share among themselves stays there (core's headers are all the
                        # library's: every layer stands on them).
                        elif to not in (None, folder, "core") and m.group(1).endswith("_internal.h"):
                            problems.append(f"{path}:{lineno}: includes \"{m.group(1)}\", which {to}/ keeps to "
                                            "itself (a header beside the .c declares what others use)")
    return count


INCDIR = re.compile(r"target_include_directories\s*\(\s*eseal\b[^)]*\)", re.S)


def check_cmake(src, problems):
    for folder in LIBRARY:
        path = os.path.join(folder, "CMakeLists.txt")
        try:
            text = open(os.path.join(src, path), encoding="utf-8").read()
        except FileNotFoundError:
            continue
        for m in INCDIR.finditer(text):
            problems.append(f"{path}: adds include directories to the library ({' '.join(m.group(0).split())}): "
                            "headers of other folders are included as \"folder/header.h\" from the source root")


def main():
    if len(sys.argv) < 3:
        print("usage: layers.py SOURCE_DIR OBJECT... | OBJECT_DIR", file=sys.stderr)
        return 64
    src = sys.argv[1]
    read_layers(src)
    if not LAYERS:
        print(f"{src}/ARCHITECTURE.md: no layer table (| N | `folder/` | ... |)", file=sys.stderr)
        return 1
    problems = [f"ARCHITECTURE.md: names {f}/, which does not exist" for f in LAYERS
                if not os.path.isdir(os.path.join(src, f))]
    args, module_objects, xml_objects = sys.argv[2:], [], []
    if "--xml-module" in args:
        i = args.index("--xml-module")
        args, xml_objects = args[:i], [a for a in args[i + 1:] if a.endswith(".o")]
        if not xml_objects:
            problems.append("--xml-module: no object files of the XML module")
    if "--module" in args:
        i = args.index("--module")
        args, module_objects = args[:i], [a for a in args[i + 1:] if a.endswith(".o")]
        if not module_objects:
            problems.append("--module: no object files of the renderer module")
    nobj = check_symbols(src, args, problems, module_objects, xml_objects)
    ninc = check_includes(src, problems)
    check_cmake(src, problems)
    for p in problems:
        print(p)
    print(f"layers: {nobj} objects, {len(module_objects)} of the renderer module, {len(xml_objects)} of the XML "
          f"module, {ninc} includes checked; "
          f"{len(problems)} against the layers")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
