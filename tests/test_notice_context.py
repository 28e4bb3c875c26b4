"""Notice contexts (step one): what each document will say, built from the register and the configuration."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date

import pytest

from school_water_map.domain.entities import site_id
from school_water_map.domain.sites import find_site, site_url, sites
from school_water_map.errors import DataFileError, UnknownPlaceError
from school_water_map.notices.config import PLACEHOLDER, Contact, NoticeConfig, load_notice_config
from school_water_map.notices.context import (
    UNKNOWN_TOWNSHIP_TITLE,
    resolve_township,
    school_letter,
    site_notice,
    township_sheet,
    townships_for_sheets,
)
from school_water_map.pipeline.register import build_register
from school_water_map.settings import DEFAULT_RULES_PATH, Settings

TODAY = date(2026, 6, 1)


def _line(register, school, row):
    letter = school_letter(register, NoticeConfig(), school, today=TODAY)
    return next(w for w in letter.waters if w.row == row)


@pytest.mark.parametrize(("school", "row", "where"), [
    ("利通区第十一小学", 1, "北 400 米"),
    ("板桥波浪渠小学", 83, "10 米（方向未报）"),
    ("马莲渠中心巴浪湖小学", 15, "校门口"),
    ("利通区黄沙窝学校", 44, "校门口 20 米"),
    ("马莲渠中心学校", 16, "南（距离待核查）"),
    ("东塔龙二小学", 26, "北、南 200 米"),
    ("利通区第十五小学", 61, "600～2000 米（方向未报）"),
])
def test_where_puts_every_annex_form_in_words(register, school, row, where):
    assert _line(register, school, row).where == where


def test_letter_keeps_the_annex_wording_of_the_water(register):
    line = _line(register, "板桥波浪渠小学", 83)
    assert (line.canonical, line.annex_name) == ("波浪渠", "波浪渠灌溉渠")
    assert line.name == "波浪渠（附件写作“波浪渠灌溉渠”）"
    assert line.annex_text == "10 米"


def test_letter_copies_the_registers_risk_and_reasons(register):
    letter = school_letter(register, NoticeConfig(), "板桥波浪渠小学", today=TODAY)
    pair = register.pairs.loc[register.pairs["row"] == 83].iloc[0]
    (line,) = letter.waters
    assert (line.risk_level, line.risk_label) == (pair["risk_level"], pair["risk_level_label"])
    assert line.reasons == tuple(r["text"] for r in pair["reasons"])
    assert line.risk_colour == register.rules.level("high").colour


def test_letter_waters_follow_the_registers_ranking_and_number_the_diagram(register):
    letter = school_letter(register, NoticeConfig(), "640302-S01", today=TODAY)
    ranked = [int(r) for r in register.pairs.loc[register.pairs["school_id"] == "640302-S01", "row"]]
    assert [w.row for w in letter.waters] == ranked
    assert [m.number for m in letter.marks] == [w.number for w in letter.waters] == [1, 2, 3, 4, 5]
    north = next(m for m, w in zip(letter.marks, letter.waters, strict=True) if w.row == 1)
    assert (north.azimuths, north.distance_m) == ((0.0,), 400.0)


def test_unknown_distance_is_listed_not_drawn(register):
    letter = school_letter(register, NoticeConfig(), "马莲渠中心学校", today=TODAY)
    undrawn = [m for m in letter.marks if m.distance_m is None]
    assert len(undrawn) == 1 and undrawn[0].azimuths == (180.0,)
    assert len(letter.not_drawn) == 1 and "距离待核查" in letter.not_drawn[0] and "学校向南" in letter.not_drawn[0]


def test_gate_without_a_number_is_drawn_at_the_school(register):
    letter = school_letter(register, NoticeConfig(), "马莲渠中心巴浪湖小学", today=TODAY)
    gate = next(m for m, w in zip(letter.marks, letter.waters, strict=True) if w.row == 15)
    assert gate.distance_m == 0.0 and gate.azimuths == ()


def test_school_without_water_still_gets_a_letter(register):
    letter = school_letter(register, NoticeConfig(), "第七小学", today=TODAY)
    assert letter.waters == () and letter.school == "利通区第七小学"
    assert "第 63 行" in letter.notes.sources[0]


def test_notes_state_rules_sources_precision_and_date(register):
    notes = school_letter(register, NoticeConfig(), "板桥波浪渠小学", today=TODAY).notes
    assert notes.levels[0] == "高：得分 ≥ 65" and "待核查：距离未报，需实地核查" in notes.levels
    assert notes.bands[:2] == ("校门口 +40", "50米以内 +40")
    assert notes.rules_source == "默认规则 risk_rules.toml"
    assert "吴利政办发〔2021〕45号" in notes.sources[0] and "第 83 行" in notes.sources[0]
    assert notes.precision[0] == "本校位置：未定位"
    assert notes.generated == "2026年6月1日"


def test_notes_follow_the_rules_file_not_hard_coded_text(tmp_path):
    rules = tmp_path / "rules.toml"
    shutil.copy(DEFAULT_RULES_PATH, rules)
    rules.write_text(rules.read_text(encoding="utf-8").replace('label = "高"', 'label = "极高"'), encoding="utf-8")
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path / "d"), "SWMAP_RISK_RULES": str(rules)})
    notes = school_letter(build_register(settings), NoticeConfig(), "板桥波浪渠小学", today=TODAY).notes
    assert notes.levels[0] == "极高：得分 ≥ 65"
    assert notes.rules_source == "自定义规则文件 rules.toml"


def test_unconfigured_contacts_are_placeholders(register, tmp_path):
    config = load_notice_config(tmp_path / "missing.toml", district_name="利通区")
    letter = school_letter(register, config, "板桥波浪渠小学", today=TODAY)
    assert letter.township_contact == Contact(PLACEHOLDER, PLACEHOLDER, PLACEHOLDER)
    assert letter.school_phone == PLACEHOLDER == "（请在设置中填写）"
    assert letter.district_contact.unit == "利通区教育局"


def test_configured_contacts_come_from_notices_toml(register, tmp_path):
    path = tmp_path / "notices.toml"
    path.write_text('[district]\nphone = "0953-2000000"\n[townships."板桥乡"]\nunit = "板桥乡人民政府"\n'
                    'person = "马某某"\nphone = "0953-1000000"\n[schools."板桥波浪渠小学"]\nphone = 12345\n',
                    encoding="utf-8")
    config = load_notice_config(path, district_name="利通区")
    letter = school_letter(register, config, "640302-S37", today=TODAY)
    assert letter.township_contact == Contact("板桥乡人民政府", "马某某", "0953-1000000")
    assert letter.school_phone == "12345"
    unknown = school_letter(register, config, "利通区黄沙窝学校", today=TODAY)  # 乡镇待确认: the district answers
    assert not unknown.township_known
    assert unknown.township_contact == Contact("利通区教育局", PLACEHOLDER, "0953-2000000")


@pytest.mark.parametrize("text", ['[townships."板桥"]\nphone = "1"\n', '[townships."板桥乡"]\nfax = "1"\n',
                                  "[district\n", '[schools."x"]\nphone = [1]\n'])
def test_malformed_notices_toml_is_a_data_error(tmp_path, text):
    path = tmp_path / "notices.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match="告知书设置文件"):
        load_notice_config(path, district_name="利通区")


def test_site_notice_names_site_school_contact_and_url(register):
    config = NoticeConfig(townships={"板桥乡": Contact("板桥乡人民政府", "马某某", "0953-1000000")})
    notice = site_notice(register, config, "640302-S37-W47", today=TODAY, base_url="http://10.0.0.2:8501/")
    assert (notice.water, notice.water_annex, notice.school) == ("波浪渠", "波浪渠灌溉渠", "板桥波浪渠小学")
    assert notice.where == "10 米（方向未报）" and notice.risk_label == "高"
    assert notice.contact.phone == "0953-1000000"
    assert notice.url == "http://10.0.0.2:8501/?site=640302-S37-W47"
    assert site_notice(register, config, "640302-S37-W47", today=TODAY, base_url="").url is None


def test_township_sheet_lists_its_sites_by_risk(register):
    sheet = township_sheet(register, NoticeConfig(), "扁担沟", today=TODAY)
    assert sheet.township_label == "扁担沟镇" and sheet.township_known
    expected = [s.site_id for s in sites(register) if s.township == "扁担沟镇"]
    assert [r.site_id for r in sheet.rows] == expected and len(expected) == 14
    ranks = [next(s.risk_rank for s in sites(register) if s.site_id == r.site_id) for r in sheet.rows]
    assert ranks == sorted(ranks)
    assert [item.label for item in sheet.items][:3] == ["警示标牌", "隔离带/防护栏", "救生杆/绳/圈"]


def test_unconfirmed_township_gets_its_own_sheet(register):
    sheet = township_sheet(register, NoticeConfig(), "待确认", today=TODAY)
    assert not sheet.township_known and sheet.township_label == UNKNOWN_TOWNSHIP_TITLE
    assert {r.school for r in sheet.rows} >= {"利通区第十一小学", "利通区黄沙窝学校"}
    assert sheet.schools_without_water == ("利通区第七小学",)
    assert "尚未确认" in sheet.notes.assumptions[0]
    assert townships_for_sheets(register)[-1] == UNKNOWN_TOWNSHIP_TITLE


@pytest.mark.parametrize(("key", "township"), [("板桥乡", "板桥乡"), ("板桥", "板桥乡"), (" 孙家滩 ", "孙家滩"),
                                               ("待确认", None), ("乡镇待确认", None)])
def test_townships_resolve_by_name_or_short_name(key, township):
    assert resolve_township(key) == township


@pytest.mark.parametrize("key", ["火星乡", "", "金"])  # 金 is ambiguous: 金积镇, 金银滩镇, 金星镇
def test_unknown_or_ambiguous_township_is_a_chinese_error(key):
    with pytest.raises(UnknownPlaceError, match="找不到乡镇"):
        resolve_township(key)


def test_township_without_sites_still_gets_an_empty_sheet(register):
    sheet = township_sheet(register, NoticeConfig(), "金星镇", today=TODAY)
    assert sheet.rows == () and sheet.township_known


def test_sites_are_one_per_pair_with_water_with_stable_ids(register):
    all_sites = sites(register)
    assert len(all_sites) == 88 == len({s.site_id for s in all_sites})
    assert all(s.site_id == site_id(s.school_id, s.water_id) for s in all_sites)
    assert site_id("640302-S37", "640302-W47") == "640302-S37-W47"
    assert site_id("640302-S-ab12cd", "640303-W-ef34") == "640302-S-ab12cd-640303-W-ef34"
    assert find_site(all_sites, "640302-S37-W47").row == 83
    assert [s.row for s in all_sites[:3]] == [int(r) for r in register.pairs["row"][:3]]


def test_unknown_site_is_a_chinese_error(register):
    with pytest.raises(UnknownPlaceError, match="找不到水域点位：“640302-S99-W99”"):
        find_site(sites(register), "640302-S99-W99")


def test_site_url_needs_a_base_url():
    assert site_url("", "640302-S37-W47") is None
    assert site_url("https://a.example/app/", "640302-S37-W47") == "https://a.example/app/?site=640302-S37-W47"


def test_settings_read_the_app_base_url_and_the_notices_config_path(tmp_path):
    settings = Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path), "SWMAP_APP_BASE_URL": " http://h:8501/ "})
    assert settings.app_base_url == "http://h:8501"
    assert settings.notices_config_path == tmp_path / "notices.toml"
    assert replace(settings, app_base_url="").app_base_url == ""
    assert Settings.from_env({"SWMAP_DATA_DIR": str(tmp_path)}).app_base_url == ""
