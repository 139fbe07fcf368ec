"""政务公开 on the terminal: published content pages and the built-in 政务服务事项清单, read as paged documents.

Against a real mosquitto and hub the pages are published exactly as ``kiosk content publish`` makes them
(retained ``content/<id>``) and removed with the empty retained payload; the screenshots use the offline
terminal with the same pages fed through its inbox.
"""

from __future__ import annotations

import io

import pygame
import pytest

from kiosk.bus.client import Inbound
from kiosk.protocol.content import decode_content
from kiosk.protocol import Topics, encode
from kiosk.terminal.base import OPEN_GOV
from kiosk.terminal.messages import ContentIn, ModeIn, decode_inbound
from kiosk.terminal.strings_voice import DISCLOSURE
from kiosk.tools.content_tools import read_page
from kiosk.ui.theme import Mode

from .conftest import SHOTS
from .test_flows import connected

COMBOS = [(mode, orientation) for mode in Mode for orientation in ("portrait", "landscape")]
PUBLISHED = 1_794_960_000.0  # 18 November 2026, morning

NOTICE = """# 关于黄潭镇便民服务中心元旦假期办公安排的公告

各位群众：

根据上级通知，现将元旦假期办公安排公告如下：

## 一、假期安排
- 1月1日至1月3日放假，共3天。
- 假期内24小时自助服务区照常开放，可自助查询办事指南、预约办理。

## 二、急办事项
""" + "\n".join(f"- 第{i}项：如有急需办理的社保、医保、户籍证明等事项，请提前拨打值班电话预约，工作人员将安排专人办理。"
                for i in range(1, 25)) + """

特此公告。

黄潭镇便民服务中心
"""

QUANZE = """| 序号 | 事项名称 | 事项类别 | 实施依据 |
|---|---|---|---|
""" + "\n".join(f"| {i} | 临时救助对象认定第{i}项 | 行政给付 | 《社会救助暂行办法》第四十七条 |" for i in range(1, 15))

POLICY = "# 湖北省政务服务“一网通办”若干规定（摘要）\n\n" + "\n\n".join(
    f"第{i}条　政务服务机构应当公开办事指南，一次性告知申请材料、办理流程和办理时限，不得要求申请人重复提交材料。"
    for i in range(1, 9))


def flow_png(width: int = 1600, height: int = 900) -> bytes:
    """A small flow chart: four boxes joined by arrows (a stand-in for a published 办事流程图)."""
    surf = pygame.Surface((width, height))
    surf.fill((255, 255, 255))
    w = width // 6
    for i in range(4):
        x = width // 12 + i * (w + width // 18)
        pygame.draw.rect(surf, (20, 70, 140), (x, height // 3, w, height // 3), 8)
        if i < 3:
            pygame.draw.line(surf, (200, 40, 40), (x + w, height // 2), (x + w + width // 18, height // 2), 10)
    buf = io.BytesIO()
    pygame.image.save(surf, buf, "flow.png")
    return buf.getvalue()


def page_files(tmp_path) -> dict[str, dict]:
    """The content messages ``kiosk content publish`` would send for a notice, a list, a policy and a picture."""
    (tmp_path / "yuandan.md").write_text(NOTICE, encoding="utf-8")
    (tmp_path / "quanze.md").write_text(QUANZE, encoding="utf-8")
    (tmp_path / "zhengce.md").write_text(POLICY, encoding="utf-8")
    (tmp_path / "liucheng.png").write_bytes(flow_png())
    return {
        "yuandan": read_page(tmp_path / "yuandan.md", now=PUBLISHED),
        "quanze": read_page(tmp_path / "quanze.md", kind="list", title="黄潭镇权责清单", now=PUBLISHED - 60),
        "zhengce": read_page(tmp_path / "zhengce.md", kind="policy", now=PUBLISHED - 120),
        "liucheng": read_page(tmp_path / "liucheng.png", title="综合窗口办事流程", now=PUBLISHED - 180),
    }


def feed(p, pages: dict[str, dict]) -> None:
    for pid, body in pages.items():
        p.terminal.inbox.put(ContentIn(page_id=pid, page=decode_content(pid, encode(body))))
    p.frames(2)


def open_from_home(p) -> None:
    """Tap 政务公开 on the home, paging the menu to it first."""
    menu = p.widget("menu")
    index = next(i for i, it in enumerate(menu.items) if it.value == OPEN_GOV)
    while not p.exists(f"menu-item-{index}"):
        p.tap("menu-next")
    assert menu.items[index].enabled
    p.tap(f"menu-item-{index}")
    assert p.app.top.key == OPEN_GOV


def choice_labels(p) -> list[str]:
    lst = p.widget("gk-pages")
    return [it.label for it in lst.items]


def choose(p, page_id: str) -> None:
    lst = p.widget("gk-pages")
    index = next(i for i, it in enumerate(lst.items) if it.value == page_id)
    while not p.exists(f"gk-pages-item-{index}"):
        p.tap("gk-pages-next")
    p.tap(f"gk-pages-item-{index}")


def page_through(p, doc_id: str) -> int:
    """Tap 下一页 to the end, checking every page; return how many pages there were."""
    seen = 1
    assert p.check_layout() == []
    while p.exists(f"{doc_id}-next") and p.widget(f"{doc_id}-next").enabled:
        p.tap(f"{doc_id}-next")
        seen += 1
        assert p.check_layout() == [], seen
    return seen


# ---- against the real broker and hub ------------------------------------------------------------------

def test_published_pages_appear_open_page_and_disappear(broker, hub, live_terminal, recorder, tmp_path):
    pages = page_files(tmp_path)
    staff = recorder()
    for pid in ("yuandan", "liucheng"):
        staff.publish(f"content/{pid}", encode(pages[pid]), raw=True, retain=True)  # as `kiosk content publish`
    p = live_terminal(broker.port)
    p.run_until(lambda: connected(p) and len(p.terminal.session.content) == 2, what="hall state and pages")
    open_from_home(p)
    labels = choice_labels(p)
    assert any(label.startswith("关于黄潭镇便民服务中心元旦假期办公安排的公告") and "公示公告" in label
               for label in labels)
    assert any(label.startswith("综合窗口办事流程") and "工作流程图" in label for label in labels)
    assert labels[-1].startswith("政务服务事项清单")  # the built-in page, from the hub's catalogue
    assert not p.exists("gk-empty")

    choose(p, "yuandan")
    assert p.text_of("heading") == "关于黄潭镇便民服务中心元旦假期办公安排的公告"
    assert "发布日期：2026年11月18日" in p.text_of("gk-meta")
    shown = " ".join(p.visible_texts())
    assert "各位群众" in shown and "一、假期安排" in shown and "#" not in shown
    pages_seen = page_through(p, "gk-doc-yuandan")
    assert pages_seen >= 2 and pages_seen == p.widget("gk-doc-yuandan").page_count
    assert "特此公告" in " ".join(p.visible_texts())
    p.tap("gk-doc-yuandan-prev")
    assert p.widget("gk-doc-yuandan").page == pages_seen - 2
    p.tap("go-back")

    choose(p, "liucheng")
    assert p.exists("gk-picture") and p.check_layout() == []
    p.tap("go-back")

    staff.publish("content/liucheng", b"", raw=True, retain=True)  # `kiosk content remove liucheng`
    p.run_until(lambda: not any(it.value == "liucheng" for it in p.widget("gk-pages").items),
                what="the removed page leaving the list")
    assert [label for label in choice_labels(p) if "综合窗口办事流程" in label] == []
    assert any("元旦" in label for label in choice_labels(p))

    staff.publish("content/quanze", encode(pages["quanze"]), raw=True, retain=True)  # a new page shows up while the list is open
    p.run_until(lambda: any(it.value == "quanze" for it in p.widget("gk-pages").items), what="the new page")
    assert p.check_layout() == []


# ---- behaviour -----------------------------------------------------------------------------------------

def test_empty_states(offline_terminal):
    p = offline_terminal()
    open_from_home(p)
    assert "还没有发布" in p.text_of("gk-empty")
    assert [it.value for it in p.widget("gk-pages").items] == [":catalog"]  # the 事项清单 is always there
    assert p.check_layout() == []

    bare = offline_terminal(fed=False)
    open_from_home(bare)
    assert "还没有公开的内容" in bare.text_of("gk-empty") and not bare.exists("gk-pages")
    assert bare.exists("gk-apply") and bare.check_layout() == []


def test_a_page_removed_while_open_returns_to_the_list(offline_terminal, tmp_path):
    p = offline_terminal()
    feed(p, page_files(tmp_path))
    open_from_home(p)
    choose(p, "zhengce")
    assert p.exists("gk-doc-zhengce")
    p.post(ContentIn(page_id="zhengce", page=None), 2)
    assert not p.exists("gk-doc-zhengce") and "已撤下" in p.text_of("gk-gone")
    assert "zhengce" not in [it.value for it in p.widget("gk-pages").items]
    assert not p.exists("go-back") and p.check_layout() == []
    choose(p, "yuandan")
    assert not p.exists("gk-gone")


def test_a_republished_page_keeps_the_reader_on_it(offline_terminal, tmp_path):
    p = offline_terminal()
    pages = page_files(tmp_path)
    feed(p, pages)
    open_from_home(p)
    choose(p, "yuandan")
    p.tap("gk-doc-yuandan-next")
    feed(p, {"yuandan": dict(pages["yuandan"], published_at=PUBLISHED + 3600)})
    assert p.widget("gk-doc-yuandan").page == 1


def test_list_page_names_every_cell_and_catalog_lists_time_limits(offline_terminal, tmp_path, catalog):
    p = offline_terminal()
    feed(p, page_files(tmp_path))
    open_from_home(p)
    choose(p, "quanze")
    texts = p.visible_texts()
    assert "序号：1\n事项名称：临时救助对象认定第1项\n事项类别：行政给付\n实施依据：《社会救助暂行办法》第四十七条" in texts
    p.tap("go-back")
    choose(p, ":catalog")
    assert p.text_of("heading") == "政务服务事项清单"
    first = catalog.items[0]
    shown = "\n".join(p.visible_texts())
    assert first.name in shown and f"实施部门：{first.department}" in shown and "法定时限：" in shown
    doc = p.widget("gk-doc-catalog")
    assert doc.page_count >= 2
    assert page_through(p, "gk-doc-catalog") == doc.page_count
    assert catalog.items[-1].name in "\n".join(p.visible_texts())


def test_large_print_pages_the_list_at_six_choices(offline_terminal, tmp_path):
    p = offline_terminal(Mode.LARGE)
    pages = page_files(tmp_path)
    many = {f"gonggao-{i}": dict(pages["zhengce"], id=f"gonggao-{i}", kind="notice", title=f"公告第{i}号",
                                 published_at=PUBLISHED + i) for i in range(9)}
    feed(p, many)
    open_from_home(p)
    lst = p.widget("gk-pages")
    assert len(lst.items) == 10 and lst.page_size <= 6
    assert lst.items[0].label.startswith("公告第8号")  # newest first
    while True:
        assert p.check_layout() == []
        if not p.widget("gk-pages-next").enabled:
            break
        p.tap("gk-pages-next")
    choose(p, ":catalog")
    assert p.check_layout() == []


def test_apply_button_opens_the_application_form(offline_terminal):
    p = offline_terminal()
    open_from_home(p)
    assert "申请" in p.text_of("gk-apply-note")
    p.tap("gk-apply")
    assert p.app.top.key == DISCLOSURE


def test_the_24_hour_home_offers_it_too(offline_terminal):
    p = offline_terminal()
    p.post(ModeIn(mode={"state": "closed", "label": "休息", "next_open_text": "明天 8:30"}), 2)
    assert p.text_of("heading") == "24小时自助服务区"
    open_from_home(p)


def test_content_topics_decode_into_pages_and_removals():
    topics = Topics("huangtan")
    reply = topics.reply("kiosk-1")
    body = {"v": 1, "id": "tingdian", "kind": "notice", "title": "停电通知", "body": "因线路检修……",
            "published_at": PUBLISHED}
    msg = decode_inbound(Inbound(topic=topics.content("tingdian"), payload=encode(body)), topics, reply)
    assert isinstance(msg, ContentIn) and msg.page is not None and msg.page.title == "停电通知"
    gone = decode_inbound(Inbound(topic=topics.content("tingdian"), payload=b""), topics, reply)
    assert gone == ContentIn(page_id="tingdian", page=None)
    bad = decode_inbound(Inbound(topic=topics.content("tingdian"), payload=encode(dict(body, kind="video"))),
                         topics, reply)
    assert bad is None
    other = decode_inbound(Inbound(topic=topics.content("x"), payload=encode(dict(body, id="y"))), topics, reply)
    assert other is None  # the id must match the topic


# ---- screenshots ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode, orientation", COMBOS)
def test_open_gov_screens_render_cleanly(offline_terminal, tmp_path, mode, orientation):
    p = offline_terminal(mode, orientation)
    feed(p, page_files(tmp_path))
    open_from_home(p)
    problems = []

    def shot(name: str) -> None:
        p.screenshot(SHOTS / f"open-gov-{name}-{mode.value}-{orientation}.png")
        problems.extend(f"{name}: {x}" for x in p.check_layout())

    shot("list")
    for pid, name in (("yuandan", "notice"), ("quanze", "list-page"), ("zhengce", "policy"),
                      ("liucheng", "image"), (":catalog", "items")):
        choose(p, pid)
        shot(name)
        doc = f"gk-doc-{pid.lstrip(':')}"
        if p.exists(f"{doc}-next") and p.widget(f"{doc}-next").enabled:
            p.tap(f"{doc}-next")
            shot(f"{name}-2")
        p.tap("go-back")
    assert p.exists("gk-pages")
    assert problems == [], "\n".join(problems)
