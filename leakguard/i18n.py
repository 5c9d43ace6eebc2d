"""User-facing labels in zh-CN (default) and English."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    # categories
    "document": {"zh": "内部文件", "en": "internal document"},
    "meeting": {"zh": "内部会议", "en": "internal meeting"},
    "personal_data": {"zh": "他人个人信息", "en": "other people's personal data"},
    "unreleased_decision": {"zh": "未公布的决定", "en": "unreleased decision"},
    "rumor": {"zh": "谣言 / 不实信息", "en": "rumour or fabrication"},
    "marker": {"zh": "密级标志", "en": "secrecy marking"},
    # severities
    "info": {"zh": "提示", "en": "info"},
    "low": {"zh": "低", "en": "low"},
    "medium": {"zh": "中", "en": "medium"},
    "high": {"zh": "高", "en": "high"},
    "critical": {"zh": "严重", "en": "critical"},
    # verdicts
    "pass": {"zh": "可以发送", "en": "OK to send"},
    "warn": {"zh": "请注意", "en": "check before sending"},
    "block": {"zh": "不建议发送", "en": "do not send"},
    # step kinds
    "base": {"zh": "基础分", "en": "base"},
    "validator": {"zh": "校验", "en": "validator"},
    "cue": {"zh": "语境", "en": "context"},
    "damper": {"zh": "减分", "en": "damper"},
    "destination": {"zh": "发送对象", "en": "destination"},
    "aggregate": {"zh": "批量记录", "en": "aggregate"},
    "requires": {"zh": "缺少关键语境", "en": "missing context"},
    "ocr": {"zh": "识别", "en": "OCR"},
    # signals
    "action": {"zh": "动作", "en": "action"},
    "attachment": {"zh": "附件", "en": "attachment"},
    "channel": {"zh": "外部渠道", "en": "outside channel"},
    "secrecy": {"zh": "保密提示", "en": "secrecy cue"},
    "unreleased": {"zh": "尚未公布", "en": "not yet announced"},
    "internal": {"zh": "内部来源", "en": "internal source"},
    "hearsay": {"zh": "道听途说", "en": "hearsay"},
    "claim": {"zh": "疫情说法", "en": "epidemic claim"},
    "person": {"zh": "特定他人", "en": "specific person"},
    "people": {"zh": "他人", "en": "other people"},
    "identifier": {"zh": "身份细节", "en": "identifying detail"},
    "health": {"zh": "健康状况", "en": "health status"},
    "list": {"zh": "名单", "en": "list"},
    "urgency": {"zh": "催促扩散", "en": "urging to spread"},
    "content": {"zh": "具体内容", "en": "specific content"},
    "public": {"zh": "已公开发布", "en": "already published"},
    "discussion": {"zh": "谈论已通报案例", "en": "discussing a published case"},
    "template": {"zh": "模板 / 示例", "en": "template or example"},
    "self": {"zh": "本人信息", "en": "one's own data"},
    "hotline": {"zh": "公共热线", "en": "public hotline"},
    "schedule": {"zh": "会议通知", "en": "meeting notice"},
    "fiction": {"zh": "影视作品", "en": "fiction"},
    "everyday": {"zh": "日常用语", "en": "everyday use"},
    "negation": {"zh": "拒绝分享", "en": "refusing to share"},
    "work_channel": {"zh": "工作渠道", "en": "work channel"},
    # headings
    "reason": {"zh": "原因", "en": "why"},
    "precedent": {"zh": "先例", "en": "precedent"},
    "advice": {"zh": "建议", "en": "instead"},
    "verdict": {"zh": "结论", "en": "verdict"},
    "score": {"zh": "得分", "en": "score"},
    "fit": {"zh": "吻合度", "en": "fit"},
    "no_findings": {"zh": "未发现风险", "en": "nothing risky found"},
    "below": {"zh": "低于阈值（仅 --explain 显示）", "en": "below threshold (shown with --explain)"},
    "masked_note": {"zh": "个人信息已打码；用 --show-matches 显示原文", "en": "personal data masked; use --show-matches to reveal"},
}


def t(key: str, lang: str = "zh") -> str:
    entry = LABELS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry["zh"]
