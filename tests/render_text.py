"""docutils as an oracle for tests/render_text.rs.

Reads a JSON list of {"rst": str} on stdin and writes, for each case, what
docutils makes of the text:

- "messages": every system message ("LEVEL: text"), at any level;
- "tree": the top-level nodes in a compact form, `tag[attrs](children)`
  with text as JSON strings, system messages left out; when the document is one `note` directive, the
  note's children instead (to compare with the same text at column 0);
- "paragraphs", "literals", "titles": astext() of those nodes, in order;
- "markup": the element nodes inside paragraphs and titles, as
  [tag, text] pairs.

`code-block` is Sphinx's directive; without Sphinx's environment it is
registered here as a literal block with a `language`, which is what Sphinx
produces before highlighting.
"""

import json
import sys

from docutils import nodes
from docutils.core import publish_doctree
from docutils.parsers.rst import Directive, directives


class CodeBlock(Directive):
    optional_arguments = 1
    has_content = True

    def run(self):
        self.assert_has_content()
        text = "\n".join(self.content)
        node = nodes.literal_block(text, text)
        if self.arguments:
            node["language"] = self.arguments[0]
        return [node]


directives.register_directive("code-block", CodeBlock)

ATTRS = {
    "enumerated_list": ["enumtype", "start"],
    "literal_block": ["language"],
    "reference": ["refuri"],
}


def compact(node):
    if isinstance(node, nodes.Text):
        return json.dumps(node.astext(), ensure_ascii=False)
    if isinstance(node, nodes.system_message):
        return ""
    attrs = [f"{a}={node[a]}" for a in ATTRS.get(node.tagname, []) if a in node]
    head = node.tagname + (f"[{','.join(attrs)}]" if attrs else "")
    kids = [k for k in (compact(c) for c in node.children) if k]
    return head + "(" + ",".join(kids) + ")"


def check(rst):
    doc = publish_doctree(
        rst,
        settings_overrides={
            "report_level": 5,
            "halt_level": 5,
            "warning_stream": False,
            "doctitle_xform": False,
            "file_insertion_enabled": False,
            "raw_enabled": False,
        },
    )
    top = list(doc.children)
    if len(top) == 1 and top[0].tagname == "note":
        top = list(top[0].children)
    markup = []
    for p in doc.findall(lambda n: n.tagname in ("paragraph", "title")):
        for n in p.findall(nodes.Element, include_self=False):
            markup.append([n.tagname, n.astext()])
    return {
        "messages": [
            f"{m['type']}: {m.astext()}" for m in doc.findall(nodes.system_message)
        ],
        "tree": [t for t in (compact(n) for n in top) if t],
        "paragraphs": [p.astext() for p in doc.findall(nodes.paragraph)],
        "literals": [p.astext() for p in doc.findall(nodes.literal)],
        "titles": [p.astext() for p in doc.findall(nodes.title)],
        "markup": markup,
    }


def main():
    cases = json.load(sys.stdin)
    json.dump([check(c["rst"]) for c in cases], sys.stdout, ensure_ascii=False)


main()
