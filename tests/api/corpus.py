# ruff: noqa: E501  (document text: lines are paragraphs)
"""A small real corpus for the API tests: three document groups, English and Chinese."""

from __future__ import annotations

from pathlib import Path

FILES: dict[str, str] = {
    "cn-regulations/数据安全法(2021-06-10).md": """# 中华人民共和国数据安全法

第一章 总则

第一条 为了规范数据处理活动，保障数据安全，促进数据开发利用，保护个人、组织的合法权益，维护国家主权、安全和发展利益，制定本法。

第二十一条 国家建立数据分类分级保护制度，根据数据在经济社会发展中的重要程度，对数据实行分类分级保护。

第二十七条 开展数据处理活动应当依照法律、法规的规定，建立健全全流程数据安全管理制度，组织开展数据安全教育培训。
""",
    "cn-regulations/出口管制法(2020-10-17).md": """# 中华人民共和国出口管制法

第十四条 出口经营者应当建立出口管制内部合规制度，规范经营。

第十二条 国家对管制物项的出口实行许可制度。出口管制清单所列管制物项，出口经营者应当向国家出口管制管理部门申请许可。
""",
    "us-ear/744.23.md": """# 15 CFR 744.23 Supercomputer and semiconductor manufacturing end use

§ 744.23 Supercomputer and semiconductor manufacturing end use.

(a) A license is required to export, reexport or transfer advanced computing items when you know the items will be used for the development or production of a supercomputer located in China.

(b) License applications for supercomputer end uses will be reviewed with a presumption of denial.
""",
    "seeds/cloud-briefing.txt": """Cloud access to AI chips: a compliance briefing

Renting GPU computing power through a cloud service is not an export of the chips themselves. A provider offering IaaS computing power services in China needs a value-added telecommunications business permit for internet data centre services. Customers should check whether remote access to advanced chips is covered by export controls.
""",
}

GROUPS = sorted({path.split("/", 1)[0] for path in FILES})


def write_corpus(root: Path) -> Path:
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
