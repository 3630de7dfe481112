# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""The ``kfuncdoc`` Sphinx directive: kfunc stability pages, generated at
build time.

The directive runs ``kfuncdoc render --to rst --stdout`` and parses its
output in place, the way the kernel's ``kernel-feat`` directive runs a
script. The input files kfuncdoc read (policy, source files, BTF) become
dependencies of the page, so Sphinx rebuilds it when they change. A
failing kfuncdoc fails the build with its message.

Usage, in ``conf.py``::

    sys.path.insert(0, "path/to/this/directory")
    extensions.append("kfuncdoc")
    kfuncdoc_bin = "kfuncdoc"          # the binary (default: from PATH)
    kfuncdoc_srctree = None            # base of relative paths (default:
                                       # $srctree, else the conf.py dir)

and in a page::

    .. kfuncdoc::
       :source: .
       :policy: Documentation/bpf/kfunc-policy.yaml
       :description: kernel-doc
       :headings: -~^"

Options (all optional; paths are relative to ``kfuncdoc_srctree``):

``source``, ``btf``, ``btf-base``, ``policy``, ``templates``
    As the ``kfuncdoc render`` options of the same names. Without
    ``source`` and ``btf``, the kernel tree ``kfuncdoc_srctree``.
``modules``
    Space-separated module files or directories.
``description``
    ``kernel-doc`` (``.. kernel-doc::`` directives; needs the kernel's
    ``kerneldoc`` extension) or ``text``.
``headings``
    The section underline characters for the levels below the directive,
    outermost first (default ``-~^"``).
``include-test-only``
    Also list the kernel's test kfuncs.
``debug``
    Show the generated reStructuredText as a code block instead.
"""

import os
import subprocess
import tempfile

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from docutils.statemachine import ViewList
from sphinx.util.nodes import nested_parse_with_titles

__version__ = "1"


class KfuncdocDirective(Directive):
    """``.. kfuncdoc::``: the stability pages of a kernel, in place."""

    has_content = False
    option_spec = {
        "source": directives.unchanged,
        "btf": directives.unchanged,
        "btf-base": directives.unchanged,
        "modules": directives.unchanged,
        "policy": directives.unchanged,
        "templates": directives.unchanged,
        "description": lambda a: directives.choice(a, ("kernel-doc", "text")),
        "headings": directives.unchanged,
        "include-test-only": directives.flag,
        "debug": directives.flag,
    }

    def _base(self, env):
        base = env.config.kfuncdoc_srctree or os.environ.get("srctree")
        return os.path.abspath(base or env.app.confdir)

    def run(self):
        env = self.state.document.settings.env
        base = self._base(env)

        def path(p):
            return os.path.join(base, p)

        args = [env.config.kfuncdoc_bin, "render", "--to", "rst", "--stdout"]
        for opt in ("source", "btf", "btf-base", "policy", "templates"):
            if opt in self.options:
                args += ["--" + opt, path(self.options[opt])]
        for m in self.options.get("modules", "").split():
            args += ["--modules", path(m)]
        if "source" not in self.options and "btf" not in self.options:
            args += ["--source", base]
        if "description" in self.options:
            args += ["--description", self.options["description"]]
        args.append("--rst-headings=" + self.options.get("headings", '-~^"'))
        if "include-test-only" in self.options:
            args.append("--include-test-only")

        with tempfile.TemporaryDirectory(prefix="kfuncdoc-") as tmp:
            depfile = os.path.join(tmp, "deps")
            try:
                run = subprocess.run(
                    args + ["--depfile", depfile],
                    capture_output=True, text=True, check=False)
            except OSError as e:
                raise self.severe("kfuncdoc: cannot run %s: %s" % (args[0], e))
            if run.returncode != 0:
                raise self.severe("kfuncdoc failed (%s):\n%s" % (
                    " ".join(args), run.stderr.strip()))
            if os.path.exists(depfile):
                with open(depfile, encoding="utf-8") as f:
                    for dep in f.read().splitlines():
                        if dep:
                            env.note_dependency(os.path.abspath(dep))

        rst = run.stdout
        if "debug" in self.options:
            return [nodes.literal_block(rst, rst, language="rst")]
        content = ViewList()
        for i, line in enumerate(rst.splitlines()):
            content.append(line, "<kfuncdoc render>", i + 1)
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(self.state, content, node)
        return node.children


def setup(app):
    app.add_config_value("kfuncdoc_bin", "kfuncdoc", "env")
    app.add_config_value("kfuncdoc_srctree", None, "env")
    app.add_directive("kfuncdoc", KfuncdocDirective)
    return {
        "version": __version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
