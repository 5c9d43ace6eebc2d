"""Synthetic chat exports for the benchmarks: everyday Chinese chat with leaks planted at known places.

Everything here is generated: the everyday sentences come from templates written for this
file, the leaks from the repo's own lexicon examples (``examples.risky`` of each rule) plus
generated person lists (ID numbers with valid check digits, mobile numbers).  A seeded RNG
makes every export reproducible.

    >>> from benchmarks.synth import Chat
    >>> chat = Chat(seed=7)
    >>> m = chat.message(0)   # (conversation, sender, time, text, planted: bool)

Writers produce the generic JSONL layout (the headline benchmark) and, for the multi-format
run, a WeChatMsg CSV, a QQ 消息管理器 TXT, a Telegram ``result.json`` and a WhatsApp TXT.
"""

from __future__ import annotations

import csv
import json
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

# ----------------------------------------------------------------------------- vocabulary

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红亮建国文斌宇浩凯鑫婷雪琳晨"
TITLES = ("老师", "主任", "经理", "师傅", "姐", "哥", "工", "科长", "医生", "阿姨")
FOODS = ("饺子", "火锅", "烤鸭", "米线", "包子", "麻辣烫", "螺蛳粉", "小龙虾", "酸菜鱼", "炒面", "煎饼", "粥")
PLACES = ("三楼会议室", "食堂", "地铁站", "人民公园", "万达广场", "高铁站", "小区门口", "楼下快递柜",
          "二号楼大厅", "星巴克", "图书馆", "体育中心")
THINGS = ("周报", "报销单", "合同扫描件", "培训课件", "值班表", "采购清单", "PPT", "Excel表", "发票",
          "会议纪要", "方案初稿", "考勤记录")
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
EMOJI = ("😂", "👍", "🙏", "😊", "🎉", "❤️", "😭", "👌", "🤣", "💪")
TRAD = ("今天天氣很好，我們出去走走吧", "這個週末有空嗎？一起吃個飯", "謝謝你幫忙，改天請你喝咖啡",
        "我剛下飛機，晚點再聯絡", "這家餐廳的菜真的很好吃")

WORK = (
    "收到", "好的", "明白", "收到，马上办", "辛苦了", "谢谢{name}", "👍", "好的{name}，我这边跟进",
    "{name}，{thing}发我一下，我汇总", "{thing}已经放在共享盘了，大家自己下载",
    "下午{hour}点在{place}开个短会，十分钟就好", "打印机又卡纸了，谁会弄一下",
    "{weekday}下午团建，大家想吃{food}还是{food2}？", "这个月的考勤请在{weekday}前确认一下",
    "{name}今天请假，有事找{name2}", "明天上午{hour}点出发去现场，记得带工牌和安全帽",
    "PPT第{n}页的数据我再核对一下", "报销的发票抬头写公司全称，税号在群公告里",
    "会议室订满了，改成线上会议，链接稍后发群里", "我在路上，堵车，大概晚到十分钟",
    "{thing}我改了第{n}版，{name}帮忙看看有没有错别字", "系统今晚{hour}点升级，提前保存好文件",
    "新来的同事{name}，大家多关照", "中午谁去食堂？帮我带一份{food}", "wifi密码贴在前台了",
    "客户说下周{weekday}过来看样品，{name}准备一下", "今天的快递都放前台了，自己去拿",
    "这周的周报记得周五下班前交", "空调太冷了，谁把温度调高一点", "OK，没问题",
    "@所有人 明天早上{hour}点例会，请准时参加", "{name}的电脑坏了，IT说下午来修",
    "Excel里第{n}列的公式不对，我已经改过来了", "项目进度表更新了，大家看一下自己的部分",
)
FAMILY = (
    "晚上回来吃饭吗？", "妈，我到家了", "周末回老家看奶奶", "明天降温，记得多穿点", "{food}买好了，放冰箱了",
    "爸的药快吃完了，我明天去医院开", "孩子作业写完了吗", "超市今天鸡蛋打折，我买了两盒",
    "外婆说想吃{food}，周末包一点", "快递到了，放在门口鞋柜上", "晚上{hour}点视频，奶奶想看看孩子",
    "车钥匙在茶几上", "今天路上好堵，晚点到", "空调遥控器找不到了，谁看见了",
    "楼下新开了一家{food}店，要不要去试试", "明天早上我送孩子上学", "记得交电费", "好的妈",
    "[图片]", "哈哈哈", "{emoji}{emoji}", "家里的wifi又断了", "我在{place}等你",
    "下周{weekday}是爷爷生日，大家都回来吃饭吧",
)
FRIENDS = (
    "周六去爬山吗？", "那家{food}店据说不错，改天一起", "哈哈哈哈笑死我了", "生日快乐🎂",
    "电影几点开场？", "我在{place}，你到了吗", "这游戏太难了{emoji}", "刚下班，累死了",
    "求推荐一个好用的记账APP", "我先睡了，明天聊", "{name}结婚请帖收到了吗",
    "周末去{place}拍照吗，天气好", "今天跑了五公里{emoji}", "你们那边下雨了吗",
    "双十一买了啥", "那个综艺第{n}期好好笑", "晚上开黑吗", "等我五分钟",
)
LONG = (
    ("各位家长好，本周{weekday}下午学校开家长会，时间{hour}点，地点在各班教室。请家长准时参加，"
     "会上会介绍下学期的课程安排和假期安全注意事项，不能到场的请提前跟班主任说一声，谢谢配合。"),
    ("通知：因小区供水管道检修，{weekday}上午{hour}点到下午五点停水，请各位业主提前储水。"
     "给大家带来不便，敬请谅解。如有问题请联系物业服务中心。"),
    ("今天的培训内容总结一下：第一，新系统的登录方式改了，用工号加手机验证码；第二，报销流程全部线上走，"
     "纸质单据不再收；第三，下个月开始考勤按新的排班表执行，有问题找{name}。"),
)
CONVERSATIONS = (
    ("work", "项目组工作群"), ("work", "部门工作群"), ("work", "行政通知群"),
    ("family", "相亲相爱一家人"), ("family", "家族群"), ("friends", "大学同学群"),
    ("friends", "周末爬山小分队"), ("friends", "老同事聚会群"),
)
_POOLS = {"work": WORK, "family": FAMILY, "friends": FRIENDS}


@dataclass(frozen=True, slots=True)
class Msg:
    conversation: str
    sender: str
    time: str
    text: str
    planted: bool


def _id_number(rng: random.Random) -> str:
    from leakguard.detectors import gb11643_check_digit

    region = rng.choice(("110101", "310104", "440305", "510107", "420102", "330106"))
    born = datetime(1960, 1, 1) + timedelta(days=rng.randrange(16000))
    body = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + gb11643_check_digit(body)


def _mobile(rng: random.Random) -> str:
    return rng.choice(("138", "139", "150", "186", "177", "135")) + f"{rng.randrange(10**8):08d}"


class Chat:
    """An endless, reproducible chat: message i is a planted leak when ``i % every == offset``."""

    def __init__(self, seed: int = 7, every: int = 2000, leaks: list[str] | None = None):
        self.rng = random.Random(seed)
        self.every = every
        self.leaks = leaks if leaks is not None else risky_examples()
        self.start = datetime(2024, 3, 1, 8, 0, 0)

    def _name(self) -> str:
        r = self.rng
        if r.random() < 0.5:
            return r.choice(SURNAMES) + r.choice(TITLES)
        return r.choice(SURNAMES) + r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.6 else "")

    def _fill(self, template: str) -> str:
        r = self.rng
        return template.format(
            name=self._name(), name2=self._name(), thing=r.choice(THINGS), place=r.choice(PLACES),
            food=r.choice(FOODS), food2=r.choice(FOODS), hour=r.choice("89") if r.random() < 0.3 else r.randint(1, 11),
            weekday=r.choice(WEEKDAYS), n=r.randint(2, 12), emoji=r.choice(EMOJI),
        )

    def _everyday(self, kind: str) -> str:
        r = self.rng
        x = r.random()
        if x < 0.02:
            return self._fill(r.choice(LONG))
        if x < 0.03:
            return r.choice(TRAD)
        text = self._fill(r.choice(_POOLS[kind]))
        if r.random() < 0.25:  # two sentences in one message
            text += "，" + self._fill(r.choice(_POOLS[kind]))
        if r.random() < 0.1:
            text += r.choice(EMOJI)
        return text

    def _planted(self, i: int) -> str:
        r = self.rng
        if (i // self.every) % 5 == 4:  # a pasted list of people
            rows = [f"{self._name()} {_id_number(r)} {_mobile(r)}" for _ in range(r.randint(2, 4))]
            return "返乡人员名单，先别外传：\n" + "\n".join(rows)
        return self.leaks[(i // self.every) % len(self.leaks)]

    def message(self, i: int) -> Msg:
        r = self.rng
        planted = i % self.every == self.every // 2
        kind, conv = r.choice(CONVERSATIONS)
        if planted:
            kind, conv = "family", "家族群"  # leaks go where they hurt: a family group
        when = self.start + timedelta(seconds=37 * i + r.randrange(30))
        text = self._planted(i) if planted else self._everyday(kind)
        return Msg(conv, self._name(), f"{when:%Y-%m-%d %H:%M:%S}", text, planted)


class Posts(Chat):
    """Long messages (forum posts, mails pasted into a chat): five to fifteen sentences each."""

    def message(self, i: int) -> Msg:
        m = super().message(i)
        if m.planted:
            return m
        kind = self.rng.choice(("work", "family", "friends"))
        text = "。".join(self._everyday(kind) for _ in range(self.rng.randint(5, 15))) + "。"
        return Msg(m.conversation, m.sender, m.time, text, False)


def risky_examples() -> list[str]:
    """The lexicons' own risky examples that the shipped rules flag when sent to a family group."""
    from leakguard.scanner import Scanner

    sc = Scanner.default()
    out = []
    for rule in sc.ruleset.rules:
        for ex in rule.examples.get("risky", ()):
            if "\x00" not in ex and sc.check(ex, to="家族群").flagged:
                out.append(ex)
    return out


# ----------------------------------------------------------------------------- writers


def write_jsonl(out: IO[str], msgs: Iterator[Msg]) -> list[int]:
    """Generic JSONL (one object per line); returns the indices of the planted leaks."""
    planted = []
    for i, m in enumerate(msgs):
        rec = {"time": m.time, "conversation": m.conversation, "sender": m.sender, "content": m.text}
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        if m.planted:
            planted.append(i)
    return planted


def write_wechat_csv(out: IO[str], msgs: Iterator[Msg]) -> list[int]:
    """WeChatMsg-style CSV (localId, TalkerId, Type, …, StrContent, StrTime, …)."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["localId", "TalkerId", "Type", "SubType", "IsSender", "CreateTime", "Status", "StrContent",
                "StrTime", "Remark", "NickName", "Sender"])
    planted = []
    for i, m in enumerate(msgs):
        ts = int(datetime.strptime(m.time, "%Y-%m-%d %H:%M:%S").timestamp())
        w.writerow([i + 1, "20231234@chatroom", 1, 0, 0, ts, "", m.text, m.time, m.conversation, m.sender,
                    f"wxid_{zlib.crc32(m.sender.encode()) % 10**6:06d}"])
        if m.planted:
            planted.append(i)
    return planted


def write_qq_txt(out: IO[str], msgs: Iterator[Msg]) -> list[int]:
    """QQ 消息管理器 TXT: one 消息对象 section (a family group, where the planted leaks belong)."""
    out.write("消息记录（此消息记录为文本格式，不支持重新导入）\n\n")
    out.write("=" * 64 + "\n消息分组:我的群聊\n" + "=" * 64 + "\n消息对象:家族群\n" + "=" * 64 + "\n\n")
    planted = []
    for i, m in enumerate(msgs):
        out.write(f"{m.time} {m.sender}({10000 + i % 97})\n{m.text}\n\n")
        if m.planted:
            planted.append(i)
    return planted


def write_whatsapp(out: IO[str], msgs: Iterator[Msg]) -> list[int]:
    """WhatsApp (Android) TXT: 'dd/mm/yyyy, hh:mm - Name: text'."""
    planted = []
    for i, m in enumerate(msgs):
        t = datetime.strptime(m.time, "%Y-%m-%d %H:%M:%S")
        out.write(f"{t:%d/%m/%Y, %H:%M} - {m.sender}: {m.text}\n")
        if m.planted:
            planted.append(i)
    return planted


def write_telegram(out: IO[str], msgs: Iterator[Msg]) -> list[int]:
    """Telegram Desktop result.json of one group (a family group), one message object per line."""
    out.write('{\n "name": "家族群",\n "type": "private_group",\n "id": 4400012345,\n "messages": [\n')
    planted = []
    for i, m in enumerate(msgs):
        rec: dict[str, Any] = {"id": i + 1, "type": "message", "date": m.time.replace(" ", "T"),
                               "from": m.sender, "from_id": f"user{1000 + i % 50}", "text": m.text}
        out.write(("  " if i == 0 else " ,") + json.dumps(rec, ensure_ascii=False) + "\n")
        if m.planted:
            planted.append(i)
    out.write(" ]\n}\n")
    return planted


WRITERS = {
    "jsonl": ("chat.jsonl", write_jsonl),
    "wechat-csv": ("wechat.csv", write_wechat_csv),
    "qq-txt": ("qq.txt", write_qq_txt),
    "telegram": ("telegram/result.json", write_telegram),
    "whatsapp": ("whatsapp.txt", write_whatsapp),
}


def messages_until(chat: Chat, out: IO[str], size: int, counter: list[int]) -> Iterator[Msg]:
    """Messages until the file being written holds about ``size`` bytes."""
    i = 0
    while i % 512 or out.tell() < size:
        counter[0] = i + 1
        yield chat.message(i)
        i += 1


def write_export(path: Path, fmt: str, size: int, seed: int = 7, every: int = 2000,
                 posts: bool = False) -> tuple[int, list[int]]:
    """Write one export of about ``size`` bytes; return (messages, indices of the planted leaks)."""
    _, writer = WRITERS[fmt]
    path.parent.mkdir(parents=True, exist_ok=True)
    counter = [0]
    chat = Posts(seed, every // 10) if posts else Chat(seed, every)
    with open(path, "w", encoding="utf-8", newline="") as f:
        planted = writer(f, messages_until(chat, f, size, counter))
    return counter[0], planted
