"""A realistic busy hall for the display's tests and benchmarks, built with the real queue core and views,
and a headless display app fed with it (``make_pilot`` / ``feed``).

9 ticketed windows (one paused with a reason, one closed), 30 people waiting, several recent calls,
long Chinese notices, a 权责清单, a policy text, a flow-chart picture and the real service catalogue.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pygame

from kiosk.bus.client import Inbound
from kiosk.config import load
from kiosk.core import commands as C
from kiosk.core.queue import Queue
from kiosk.core.views import board_view, window_view
from kiosk.display.runtime import build_app
from kiosk.display.screen import Hall
from kiosk.display.settings import DisplaySettings, orient_size
from kiosk.protocol import Topics, encode
from kiosk.ui.pilot import FakeClock, Pilot

REPO = Path(__file__).resolve().parents[3]
CONFIG = REPO / "config" / "huangtan.toml"
T0 = 1764385200.0  # 2025-11-29 11:00 Asia/Shanghai

NOTICE_1 = ("关于调整医保业务办理时间的通知：自12月1日起，医保窗口每周二下午集中办理异地就医备案业务，"
            "请群众合理安排时间，携带身份证、医保电子凭证到4号窗口办理。如有疑问请拨打咨询电话。")
NOTICE_2 = ("2026年度城乡居民基本医疗保险集中缴费已经开始，缴费截止时间为12月31日。"
            "可通过“楚税通”、微信、支付宝或到村便民服务室代缴，年满60周岁的老人可由家属代办。")
LIST_BODY = "\n".join(["| 序号 | 事项名称 | 类别 | 实施依据 |", "|---|---|---|---|"] + [
    f"| {i} | {name} | {kind} | {basis} |" for i, (name, kind, basis) in enumerate([
        ("对农村五保供养对象的审核", "行政确认", "《农村五保供养工作条例》第七条"),
        ("最低生活保障对象认定", "行政确认", "《社会救助暂行办法》第十一条"),
        ("临时救助审批", "行政给付", "《社会救助暂行办法》第四十八条"),
        ("农村村民宅基地审批", "行政许可", "《中华人民共和国土地管理法》第六十二条"),
        ("乡村建设规划许可证核发", "行政许可", "《中华人民共和国城乡规划法》第四十一条"),
        ("对违反计划生育法规行为的处罚", "行政处罚", "《湖北省人口与计划生育条例》"),
        ("残疾人两项补贴申请受理", "公共服务", "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》"),
        ("高龄津贴发放", "行政给付", "《湖北省高龄津贴制度实施办法》"),
        ("城乡居民养老保险参保登记", "公共服务", "《社会保险法》第二十二条"),
        ("退役军人优待证申领", "公共服务", "《退役军人保障法》第五十七条"),
        ("地名标志设置管理", "其他权力", "《地名管理条例》第十九条"),
        ("防汛抗旱应急处置", "其他权力", "《中华人民共和国防洪法》第四十六条"),
        ("农业机械安全监督检查", "行政检查", "《农业机械安全监督管理条例》第三十一条"),
        ("森林防火检查", "行政检查", "《森林防火条例》第二十四条"),
    ], start=1)])
POLICY_BODY = ("# 天门市政务服务“一网通办”实施办法（节选）\n\n" + "\n\n".join(
    f"第{n}条　" + "各级政务服务中心应当推行“前台综合受理、后台分类审批、综合窗口出件”模式，"
    "对申请材料齐全、符合法定形式的事项当场受理；材料不全的，一次性告知需要补正的全部内容。"
    "群众办事过程中遇到“办不成”的问题，可到办不成事反映窗口反映，窗口工作人员应当登记并限时办结。"
    for n in "一二三四五六七八"))


def flow_chart_png() -> bytes:
    """A small flow chart drawn with pygame (no files in the repository)."""
    import pygame
    pygame.font.init()
    surf = pygame.Surface((1200, 500))
    surf.fill((255, 255, 255))
    font = pygame.font.Font("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 40)
    steps = ["取号", "窗口受理", "后台审批", "综合出件"]
    for i, s in enumerate(steps):
        r = pygame.Rect(40 + i * 290, 180, 230, 140)
        pygame.draw.rect(surf, (11, 74, 146), r, border_radius=16)
        img = font.render(s, True, (255, 255, 255))
        surf.blit(img, img.get_rect(center=r.center))
        if i:
            pygame.draw.polygon(surf, (40, 40, 40), [(r.x - 55, 230), (r.x - 15, 250), (r.x - 55, 270)])
    buf = io.BytesIO()
    pygame.image.save(surf, buf, "flow.png")
    return buf.getvalue()


def content_pages(now: float = T0) -> dict[str, dict]:
    return {
        "notice-yibao": {"id": "notice-yibao", "kind": "notice", "title": "医保业务办理时间调整", "body": NOTICE_1,
                         "dwell_s": 15, "published_at": now - 100},
        "notice-jiaofei": {"id": "notice-jiaofei", "kind": "notice", "title": "城乡居民医保集中缴费", "body": NOTICE_2,
                           "dwell_s": 15, "published_at": now - 50},
        "quanze": {"id": "quanze", "kind": "list", "title": "黄潭镇权责清单", "body": LIST_BODY, "dwell_s": 20,
                   "published_at": now - 40},
        "policy-ywtb": {"id": "policy-ywtb", "kind": "policy", "title": "一网通办实施办法", "body": POLICY_BODY,
                        "dwell_s": 20, "published_at": now - 30},
        "flow": {"id": "flow", "kind": "image", "title": "综合窗口办事流程", "mime": "image/png",
                 "image_b64": base64.b64encode(flow_chart_png()).decode(), "published_at": now - 20},
    }


def hall_queue(now: float = T0) -> tuple[Queue, list]:
    """The queue after a busy morning; returns it and the call events (newest last)."""
    cfg = load(CONFIG)
    q = Queue(cfg.hall)
    q.apply(C.StartDay(now=now - 7200, day="2025-11-29"))
    t = now - 7000
    cats = "AACCDDEEBEACDEFAC"
    for i in range(60):
        t += 20
        ev = q.apply(C.IssueTicket(now=t, category=cats[i % len(cats)]))
        q.apply(C.DeliverTicket(now=t, ticket=ev[0].ticket, how="printed"))
    calls = []
    for round_ in range(3):
        for w in ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9"):
            t += 15
            try:
                calls += [e for e in q.apply(C.CallNext(now=t, window=w)) if isinstance(e, C.TicketCalled)]
            except Exception:
                pass
    q.apply(C.StartService(now=t + 1, window="w2"))
    q.apply(C.StartService(now=t + 1, window="w5"))
    q.apply(C.PauseWindow(now=t + 2, window="w6", reason="系统维护，请到5号窗口"))
    q.apply(C.CompleteService(now=t + 3, window="w9"))
    q.apply(C.CloseWindow(now=t + 3, window="w9"))
    calls += [e for e in q.apply(C.CallNext(now=t + 5, window="w3")) if isinstance(e, C.TicketCalled)]
    # top up the waiting line to 30
    waiting = sum(c["waiting"] for c in board_view(q)["categories"])
    for i in range(max(0, 30 - waiting)):
        ev = q.apply(C.IssueTicket(now=t + 6 + i, category="ABCDE"[i % 5]))
        q.apply(C.DeliverTicket(now=t + 6 + i, ticket=ev[0].ticket, how="printed"))
    return q, calls


def mode_body(state: str = "open") -> dict:
    if state == "open":
        return {"state": "open", "label": "正常办公", "since": T0 - 9000, "until": T0 + 3600, "next_open": None,
                "next_open_text": None, "day": "2025-11-29", "day_label": "工作日", "working_day": True,
                "sessions": ["08:30-12:00", "14:30-17:30"]}
    return {"state": state, "label": "今日已下班" if state == "closed" else "国庆节放假", "since": T0,
            "until": T0 + 50000, "next_open": T0 + 77400, "next_open_text": "11月30日 08:30", "day": "2025-11-29",
            "day_label": "休息日", "working_day": False, "sessions": []}


def messages(topics: Topics, *, mode: str = "open", with_content: bool = True) -> list[tuple[str, bytes]]:
    """Retained messages as a hub and a staff tool would have left them, plus the last call event."""
    from kiosk.hub.hallinfo import HallInfo
    cfg = load(CONFIG)
    q, calls = hall_queue()
    board = board_view(q)
    board.update(version=500, at=T0, site=cfg.site_id, name=cfg.name)
    out = [(topics.board, encode(board))]
    for w in cfg.hall.windows:
        out.append((topics.window_state(w.id), encode(dict(window_view(q, w.id), version=500))))
    out.append((topics.mode, encode(mode_body(mode))))
    info = HallInfo(cfg, time.time())
    if info.catalog is not None:
        out.append((topics.catalog, encode({"catalog": info.catalog})))
    if with_content:
        for pid, page in content_pages().items():
            out.append((topics.content(pid), encode(page)))
    out.append((topics.availability("hub"), b"online"))
    last = calls[-1]
    w = cfg.hall.window(last.window)
    out.append((topics.call, encode({"id": "500-x", "number": last.number, "window": last.window,
                                     "window_number": w.number, "window_name": w.name, "recall": 0, "at": last.at,
                                     "text": f"请{last.number}号到{w.number}号窗口办理", "speech": "请"})))
    return out


# ---------------------------------------------------------------------------------------------- headless display
class WallClock:
    def __init__(self, start: float = T0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def make_pilot(*, layout: str = "board", orientation: str = "landscape", size: tuple[int, int] = (1920, 1080),
               announce=None, settings: DisplaySettings | None = None, inbox=None) -> tuple[Pilot, object, WallClock]:
    cfg = load(CONFIG)
    base = settings or DisplaySettings()
    settings = dataclasses.replace(base, layout=layout, orientation=orientation, size=orient_size(size, orientation),
                       fullscreen=False)
    wall = WallClock()
    clock = FakeClock()
    hall = Hall(name=cfg.name, phones=cfg.phones, tz=ZoneInfo(cfg.timezone))
    app, screen = build_app(settings=settings, hall=hall, topics=Topics(cfg.site_id), wall=wall, clock=clock,
                            announce=announce, windowed=True, inbox=inbox)
    app.start("wall")
    pygame.event.clear()
    pilot = Pilot(app, clock)
    pilot.frames(1)
    return pilot, screen, wall


def feed(pilot: Pilot, msgs, *, connected: bool = True, frames: int = 1) -> None:
    if connected:
        pilot.app.inbox.put(Inbound("", connected=True))
    for topic, payload in msgs:
        pilot.app.inbox.put(Inbound(topic, payload, retain=True))
    pilot.frames(frames)
