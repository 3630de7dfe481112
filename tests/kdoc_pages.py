"""docutils as an oracle for tests/kdoc_pages.rs.

Reads a JSON list of {"rst": str} on stdin and writes, for each case, what
docutils makes of it: "messages" (every system message of level WARNING or
more, "LEVEL: text"), "items" (the number of list items), "literal_blocks"
(their number) and "paragraphs" (astext() of each paragraph).

The input may be scripts/kernel-doc's output: Sphinx's C domain directive
and roles are registered here as plain containers and literals (their
arguments are not checked; Sphinx's C parser is held to the pages by the
`make htmldocs` tests).
"""

import json
import sys

from docutils import nodes
from docutils.core import publish_doctree
from docutils.parsers.rst import Directive, directives, roles


class CFunction(Directive):
    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True

    def run(self):
        node = nodes.container()
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


directives.register_directive("c:function", CFunction)
directives.register_directive("c:macro", CFunction)
for role in ("c:func", "c:type", "c:macro", "c:expr", "c:data", "ref", "doc"):
    roles.register_generic_role(role, nodes.literal)


def check(rst):
    doc = publish_doctree(
        rst,
        settings_overrides={
            "report_level": 5,
            "halt_level": 5,
            "warning_stream": False,
            "file_insertion_enabled": False,
            "raw_enabled": False,
        },
    )
    return {
        "messages": [
            f"{m['type']}: {m.astext()}"
            for m in doc.findall(nodes.system_message)
            if m["level"] >= 2
        ],
        "items": len(list(doc.findall(nodes.list_item))),
        "literal_blocks": len(list(doc.findall(nodes.literal_block))),
        "paragraphs": [
            p.astext()
            for p in doc.findall(nodes.paragraph)
            if not isinstance(p.parent, nodes.system_message)
        ],
    }


def main():
    cases = json.load(sys.stdin)
    json.dump([check(c["rst"]) for c in cases], sys.stdout, ensure_ascii=False)


main()
