"""WeChat exports: 留痕/WeChatMsg TXT+CSV, PyWxDump CSV, desktop copy, mail share, WechatExporter."""

from __future__ import annotations

from pathlib import Path

from leakguard.sources import BadRecord, Message, iter_messages
from leakguard.sources.wechat_xml import appmsg_text, fields, system_text

FIX = Path(__file__).parent / "fixtures" / "exports"


def run(path: Path, **kw: object) -> tuple[list[Message], list[BadRecord]]:
    items = list(iter_messages([path], **kw))  # type: ignore[arg-type]
    return [i for i in items if isinstance(i, Message)], [i for i in items if isinstance(i, BadRecord)]


def test_wechatmsg_txt_v1() -> None:
    msgs, bad = run(FIX / "wechatmsg" / "项目组_utf8.txt")
    assert bad == []
    assert [(m.line, m.sender, m.kind) for m in msgs] == [
        (1, "王主任", "text"), (5, "小刘&小陈", "text"), (9, None, "system"), (11, "王主任", "link"),
        (18, "赵敏", "text")]
    first = msgs[0]
    assert first.text == "明天上午九点开会，请大家带上季度材料。\n会议室在三楼东侧。"
    assert first.time == "2024-05-06T09:12:33+08:00"
    assert first.conversation == "项目组"  # from the file name, '_utf8' dropped
    assert msgs[1].text == "收到\n[图片]"
    assert msgs[2].text == '"王主任" 撤回了一条消息'
    assert msgs[3].text.splitlines()[0] == "[链接]:关于调整值班安排的通知:"  # 12-space indent removed
    assert "url:https://example.org/notice/2024-18" in msgs[3].text


def test_wechatmsg_txt_v2_system_title_and_merged_forward() -> None:
    msgs, bad = run(FIX / "wechatmsg" / "项目组v2.txt")
    assert bad == []
    assert [(m.line, m.kind) for m in msgs] == [(1, "file"), (4, "system"), (7, "forward"), (13, "text")]
    assert msgs[0].text.startswith("【文件】2024年第二季度考核汇总.xlsx")
    assert msgs[1].sender is None and msgs[1].text == '"陈科长"邀请"林涛"加入了群聊'
    # the nested lines of a merged forward belong to the message (a blank line inside it)
    assert msgs[2].text.endswith("    - 2024-06-02 18:21:30 周琳: 【图片】")
    assert "名单我先发你，别外传" in msgs[2].text
    assert msgs[3].text == "收到，请勿转发\n引用：林涛: 【合并转发的聊天记录】"


def test_wechatmsg_csv_v1_extracts_text_from_xml() -> None:
    msgs, bad = run(FIX / "wechatmsg" / "项目组_utf8.csv")
    assert [(b.line, b.reason) for b in bad] == [(33, "expected 12 fields, got 4")]
    by_kind = {m.kind: m for m in msgs}
    assert [m.line for m in msgs] == [2, 3, 18, 19, 20, 22, 23, 25, 29, 30, 31, 34]
    assert msgs[0].sender == "王主任" and msgs[0].conversation == "45678901@chatroom"
    assert msgs[0].time == "2024-06-03T10:00:00+08:00"
    assert by_kind["file"].text == "[文件] 干部考察材料（征求意见稿）.docx"
    assert by_kind["link"].text == ("[链接] 关于2024年度体检安排的通知\n各单位职工体检时间表见附件\n"
                                    "https://example.org/mp/s?id=abc123&idx=1")
    assert by_kind["quote"].text == "这个先不要转出去\n引用 王主任: 下周的检查名单已经定了，先别往外说"
    assert by_kind["quote"].sender == "我的昵称"
    fwd = by_kind["forward"].text.splitlines()
    assert fwd[0] == "[聊天记录] 群聊的聊天记录" and "名单附后，仅限内部" in fwd and "复核名单.xlsx" in fwd
    assert by_kind["transfer"].text.splitlines()[:3] == ["[转账]", "￥2,000.00", "评审劳务费"]
    assert by_kind["card"].text == "[名片]\n周琳\nzhoulin_hr"
    assert by_kind["location"].text == "[位置]\n市档案馆\n浙江省杭州市西湖区文三路18号"
    assert by_kind["image"].text == "[图片]" and by_kind["image"].sender == "我"
    assert [m.text for m in msgs if m.kind == "system"] == ['你邀请"赵敏"加入了群聊', '"王主任" 撤回了一条消息']
    # the quoted cell spans two lines; StrTime is empty there, so CreateTime (epoch) is used
    assert msgs[10].text == "第一条：名单不外传\n第二条：材料周五前交"
    assert msgs[10].time == "2024-06-03T10:10:00+08:00"
    assert not any("<" in m.text for m in msgs)  # no raw XML reaches the scanner


def test_wechatmsg_csv_v2_chinese_header_in_gb18030() -> None:
    msgs, bad = run(FIX / "wechatmsg" / "v2导出.csv")
    assert bad == []
    assert [(m.line, m.sender, m.kind) for m in msgs] == [
        (2, "孙处", "text"), (3, "孙处", "file"), (4, None, "system"), (5, "我", "quote")]
    assert msgs[1].text.startswith("【文件】处分决定（送审稿）.pdf")
    assert msgs[3].text == "知道了\n引用：孙处: 局里下午通报处分决定，先不要外传"
    assert msgs[0].conversation == "v2导出"


def test_pywxdump_csv_recall_file_and_excel_time() -> None:
    msgs, bad = run(FIX / "pywxdump" / "wxid_demo_0_9.csv")
    assert [(b.line, b.reason) for b in bad] == [(9, "expected 9 fields, got 7")]
    assert [(m.line, m.kind) for m in msgs] == [
        (2, "text"), (3, "file"), (4, "image"), (5, "system"), (6, "text"), (8, "link"), (10, "quote")]
    assert msgs[1].text == "[文件] 督查名单（内部）.xlsx"  # the file name comes from the src path
    assert msgs[2].text == "[图片]" and msgs[2].sender == "我"
    recalled = [m for m in msgs if m.recalled]
    assert [m.text for m in recalled] == ["这条发错了，大家别看"]  # named by the revokemsg newmsgid
    assert msgs[5].text == "[链接] 2024年下半年人事调整方案（讨论稿）\n仅限班子成员阅\nhttps://example.org/doc/77"
    assert msgs[6].time == "2024-07-01T10:05:00+08:00"  # '2024/7/1 10:05' after an Excel round-trip
    assert {m.conversation for m in msgs} == {"12345678@chatroom"}


def test_pywxdump_old_json_cell_variant() -> None:
    msgs, bad = run(FIX / "pywxdump" / "old_content_2024.csv")
    assert [(b.line, b.reason) for b in bad] == [(6, "content cell is not valid JSON")]
    assert [(m.kind, m.text) for m in msgs] == [
        ("system", "你已添加了钱老师，现在可以开始聊天了。"),
        ("text", "钱老师，学生的体检报告我晚点发您"),
        ("file", "[文件] 三班体检汇总.xlsx"),
        ("sticker", "[表情]"),
        ("text", "好的，注意别发到家长群"),
    ]


def test_wechat_desktop_copy() -> None:
    msgs, bad = run(FIX / "wechat-copy" / "desktop_copy.txt")
    assert bad == []
    assert [(m.line, m.sender, m.time) for m in msgs] == [
        (1, "刘晓燕", "2024-03-18T09:05:00+08:00"), (5, "陈工", "2024-03-18T09:07:00+08:00"),
        (8, "刘晓燕", "2024-03-18T14:31:00+08:00"), (11, "何秘书", "2024-03-19T21:07:00+08:00"),
        (17, "何秘书", "2024-03-19T21:09:00+08:00")]
    assert msgs[3].text == "以下是会议记录要点：\n\n一、预算暂不公开\n二、人员名单另行通知"
    assert msgs[1].kind == "file" and msgs[4].kind == "image"


def test_wechat_mobile_mail_share() -> None:
    msgs, bad = run(FIX / "wechat-mail" / "mail_share_private.txt")
    assert bad == []
    assert [(m.sender, m.time, m.text) for m in msgs] == [
        ("孙明", "2024-09-02T08:41:00+08:00", "名单在附件里，你核对一下身份证号"),
        ("孙明", "2024-09-02T08:42:00+08:00", "[图片: 3f2a9c1e.jpg(请在附件中查看)]"),
        ("我", "2024-09-02T08:50:00+08:00", "好的，核对完我删掉"),
        ("孙明", "2024-09-03T09:15:00+08:00", "昨天那个别转出去"),
    ]
    assert {m.conversation for m in msgs} == {"孙明 和 我"}
    assert msgs[1].kind == "image"


def test_wechat_mail_share_time_without_a_date_rule(tmp_path: Path) -> None:
    p = tmp_path / "share.txt"
    p.write_text('微信群"应急小组"的聊天记录如下:\n\n老高  21:40\n通报先别发\n', encoding="utf-8")
    msgs, _ = run(p)
    assert [(m.sender, m.time, m.conversation, m.text) for m in msgs] == [("老高", None, "应急小组", "通报先别发")]


def test_wechatexporter_txt() -> None:
    msgs, bad = run(FIX / "wechatexporter" / "财务科工作群.txt")
    assert bad == []
    assert [(m.line, m.sender, m.kind) for m in msgs] == [
        (3, "周会计", "text"), (4, "周会计", "file"), (5, None, "system"), (6, "吴出纳", "text"),
        (8, "吴出纳", "text")]
    assert msgs[3].text == "收到\n另外工资表我晚上发你"
    assert msgs[4].text.endswith("好的，明早交")
    assert {m.conversation for m in msgs} == {"财务科工作群"}
    assert msgs[0].time == "2024-04-10T16:20:05+08:00"


def test_xml_helpers_tolerate_broken_and_nested_bodies() -> None:
    assert appmsg_text("<msg><appmsg><title>残缺的文件名.pdf</title><type>6</type>") == ("file", "[文件] 残缺的文件名.pdf")
    nested = "<msg><appmsg><type>19</type><title>记录</title><recorditem>&lt;recordinfo&gt;&lt;datalist&gt;" \
             "&lt;dataitem&gt;&lt;datadesc&gt;转义过的内层&lt;/datadesc&gt;&lt;/dataitem&gt;&lt;/datalist&gt;" \
             "&lt;/recordinfo&gt;</recorditem></appmsg></msg>"
    assert ("datadesc", "转义过的内层") in fields(nested)
    assert system_text('你撤回了一条消息 <a href="weixin://revoke_edit_click">重新编辑</a>') == "你撤回了一条消息 重新编辑"
    assert system_text("<![CDATA[\"甲\" 拍了拍 \"乙\"]]>") == '"甲" 拍了拍 "乙"'
