"""Sample screens that show every widget: a gallery for reviews, screenshots and tests.

Rule: this is sample content, not a product screen; its Chinese text lives in
:data:`TEXT` only. ``SCREENS`` is a registry a Pilot or App can start from.
"""

from __future__ import annotations

from typing import Any

from kiosk.ui.keys import LetterKeyboard, NumericKeypad
from kiosk.ui.paging import ListItem, PagedList
from kiosk.ui.screen import ModalResult, Pop, Push, Screen, SetMode, Transition
from kiosk.ui.theme import Mode
from kiosk.ui.widget import Chosen, Column, Context, Pressed, Row, Spacer, Widget
from kiosk.ui.widgets import Button, Countdown, Label, QRImage, StatusBanner, TextBlock

TEXT: dict[str, Any] = {
    "title": "黄潭镇便民服务中心",
    "banner": "网络已断开，正在显示 10:32 的信息（自动重连中）",
    "intro": "请选择要办理的业务。办理社保、医保业务请携带本人身份证（原件）；代办须另带委托书和代办人身份证。",
    "services": ["社保卡申领", "医保缴费", "户籍证明", "老年人优待证", "残疾人两项补贴", "农村低保申请",
                 "不动产登记咨询", "营业执照（个体户）", "新生儿落户“一件事”", "退役军人服务"],
    "qr": "https://example.invalid/huangtan/guide",
    "qr_caption": "扫码查看办事指南",
    "large": "长辈模式",
    "normal": "标准模式",
    "help": "呼叫工作人员",
    "print": "打印凭条（缺纸）",
    "keys": "输入证件号码",
    "keys_title": "请输入身份证号码",
    "letters_title": "请输入车牌号字母",
    "confirm_text": "确认取号吗？取号后请留意叫号屏。",
    "yes": "确认取号",
    "no": "返回",
    "chosen": "已选择：{item}",
}


class GalleryScreen(Screen):
    """Banner, title, text, paged list, QR code, countdown and buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.mode = Mode.NORMAL
        self.chosen: str | None = None
        self.confirmed: bool | None = None

    def build(self, ctx: Context) -> Widget:
        self.mode = ctx.theme.mode
        landscape = ctx.size[0] > ctx.size[1]
        items = [ListItem(label=s, value=s, icon="◆") for s in TEXT["services"]]
        intro = TEXT["intro"] if self.chosen is None else TEXT["chosen"].format(item=self.chosen)
        main = Column("main", [
            StatusBanner("status", TEXT["banner"], level="warning"),
            Label("title", TEXT["title"], style="title"),
            TextBlock("intro", intro),
            PagedList("services", items, per_page=8, flex=1),
        ], flex=2)
        toggle = TEXT["normal"] if self.mode is Mode.LARGE else TEXT["large"]
        side = Column("side", [
            QRImage("qr", TEXT["qr"], caption=TEXT["qr_caption"], flex=1),
            Countdown("countdown", 60),
            Button("mode", toggle, icon="★"),
            Button("keys", TEXT["keys"], tone="secondary"),
            Button("print", TEXT["print"], enabled=False),
        ], flex=1)
        if landscape:
            return Row("root", [main, side], padded=True)
        bottom = Row("bottom", [
            QRImage("qr", TEXT["qr"], caption=TEXT["qr_caption"]),
            Column("actions", [Countdown("countdown", 60), Button("mode", toggle, icon="★"),
                               Button("keys", TEXT["keys"], tone="secondary"),
                               Button("print", TEXT["print"], enabled=False)]),
        ])
        main.flex = 1
        return Column("root", [*main.children[:3], main.children[3], bottom], padded=True)

    def handle(self, message: Any) -> Transition | None:
        if isinstance(message, Pressed) and message.widget_id == "mode":
            return SetMode(mode=Mode.NORMAL if self.mode is Mode.LARGE else Mode.LARGE)
        if isinstance(message, Pressed) and message.widget_id == "keys":
            return Push(key="keys")
        if isinstance(message, Chosen):
            self.chosen = message.value
            return Push(key="confirm", data=message.value)
        if isinstance(message, ModalResult) and message.source == "confirm":
            self.confirmed = bool(message.value)
            self.invalidate()
        return None


class KeysScreen(Screen):
    """Numeric keypad (ID number, with X) and letter keyboard."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[str, str] = {}

    def build(self, ctx: Context) -> Widget:
        landscape = ctx.size[0] > ctx.size[1]
        pad = Column("pad-col", [Label("pad-title", TEXT["keys_title"], style="title"),
                                 NumericKeypad("idpad", extra_key="X", max_length=18)], flex=2)
        kb = Column("kb-col", [Label("kb-title", TEXT["letters_title"], style="title"),
                               LetterKeyboard("letters", max_length=8)], flex=5)
        back = Button("back", TEXT["no"], icon="◀", tone="secondary")
        if landscape:
            return Column("root", [Row("keys-row", [pad, kb]), Spacer("gap", flex=1), back], padded=True)
        pad.flex = kb.flex = 0  # stacked: each takes its measured height
        return Column("root", [pad, kb, Spacer("gap", flex=1), back], padded=True)

    def handle(self, message: Any) -> Transition | None:
        if isinstance(message, Pressed) and message.widget_id == "back":
            return Pop(result=dict(self.entries))
        value = getattr(message, "value", None)
        if isinstance(value, str) and getattr(message, "widget_id", "") in ("idpad", "letters"):
            self.entries[message.widget_id] = value
        return None


class ConfirmScreen(Screen):
    """A modal yes/no dialog; pops with ``True`` or ``False``."""

    modal = True

    def startup(self, data: Any) -> None:
        self.item = str(data)

    def build(self, ctx: Context) -> Widget:
        panel = Column("dialog", [
            Label("dialog-item", self.item, style="title"),
            TextBlock("dialog-text", TEXT["confirm_text"]),
            Row("dialog-buttons", [Button("yes", TEXT["yes"]), Button("no", TEXT["no"], tone="secondary")]),
        ], fill="surface", padded=True)
        return Column("root", [Spacer("top", flex=1), panel, Spacer("bottom", flex=1)], padded=True)

    def handle(self, message: Any) -> Transition | None:
        if isinstance(message, Pressed) and message.widget_id in ("yes", "no"):
            return Pop(result=message.widget_id == "yes")
        return None


SCREENS = {"gallery": GalleryScreen, "keys": KeysScreen, "confirm": ConfirmScreen}
