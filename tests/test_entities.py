from __future__ import annotations

import pytest

from school_water_map.domain.annex import parse_rows
from school_water_map.domain.entities import Registry, resolve
from school_water_map.errors import UnknownPlaceError
from school_water_map.io.annex_file import load_annex, read_annex_text
from school_water_map.io.curated import load_registry


@pytest.fixture
def resolution(settings):
    registry = load_registry(settings.schools_path, settings.water_path, district_adcode="640302")
    return resolve(parse_rows(load_annex(settings.annex_path)), registry, district_adcode="640302")


def _water_ids(resolution, name):
    return {p.water_id for p in resolution.pairs if p.exposure.source.water == name}


def test_counts(resolution):
    assert len(resolution.schools) == 40
    assert len(resolution.pairs) == 89
    assert len({p.water_id for p in resolution.pairs if p.water_id}) == len(resolution.waters) == 51


def test_school_alias_is_canonicalised(resolution):
    school = resolution.school("利通十小")
    assert school.name == "利通区第十小学" and "利通十小" in school.aliases
    assert resolution.school("吴忠市利通区第十一小学") is resolution.school("利通区第十一小学")


def test_qinqu_is_one_canal_at_eleven_schools(resolution):
    (qinqu,) = _water_ids(resolution, "秦渠")
    schools = {p.school_id for p in resolution.pairs if p.water_id == qinqu}
    assert len(schools) == 11
    assert resolution.waters[qinqu].kind == "main_canal"


def test_xinninghe_is_qingshuigou(resolution):
    assert _water_ids(resolution, "新宁河(清水沟)") == _water_ids(resolution, "清水沟")


def test_generic_canals_stay_separate(resolution):
    ids = _water_ids(resolution, "水渠")
    assert len(ids) == 3
    assert {resolution.waters[i].scope_school_id for i in ids} == {
        p.school_id for p in resolution.pairs if p.exposure.source.water == "水渠"}


def test_doubtful_name_is_flagged_not_merged(resolution):
    (qingshuihe,) = _water_ids(resolution, "清水河")
    assert qingshuihe not in _water_ids(resolution, "清水沟")
    assert "清水沟" in resolution.waters[qingshuihe].review


def test_muzi_park_decision(resolution):
    # Decision (geodata/README.md): 母子公园 as a water name means the lake in the park.
    assert _water_ids(resolution, "母子公园") == _water_ids(resolution, "母子公园内的湖")


def test_levels_and_townships(resolution):
    assert resolution.school("板桥波浪渠小学").level == "primary"
    assert resolution.school("利通区秦渠中学").level == "middle"
    assert resolution.school("马莲渠中心学校").level == "central"
    assert resolution.school("利通区黄沙窝学校").level == "nine_year"
    assert resolution.school("板桥波浪渠小学").township == "板桥乡"
    assert resolution.school("东塔龙二小学").township == "东塔寺乡"
    unknown = resolution.school("开元小学")
    assert unknown.township is None and unknown.township_label == "待确认"


def test_kinds_cover_the_design_vocabulary(resolution):
    kinds = {w.kind for w in resolution.waters.values()}
    assert kinds == {"river", "main_canal", "branch_canal", "drainage_ditch", "lake", "park_water", "pond",
                     "reservoir"}
    assert resolution.water("南干沟").kind == "drainage_ditch"  # from row 88's note 排水沟


def test_ids_are_unique_across_districts(settings):
    rows = parse_rows(load_annex(settings.annex_path))
    registry = load_registry(settings.schools_path, settings.water_path, district_adcode="640302")
    here = resolve(rows, registry, district_adcode="640302")
    other = resolve(rows, Registry(schools=(), waters=()), district_adcode="640303")
    assert not set(here.schools) & set(other.schools)
    assert not set(here.waters) & set(other.waters)
    assert all(i.startswith("640303-") for i in [*other.schools, *other.waters])


def test_new_names_get_stable_ids_and_review_flags(settings):
    registry = load_registry(settings.schools_path, settings.water_path, district_adcode="640302")
    text = ("序号,学校名称,河湖名称,距离学校距离,备注\n1,上桥新建小学,水渠,约50米,\n"
            "2,上桥新建小学,新开渠,100 米,\n3,板桥中心学校,水渠,80 米,\n")
    first = resolve(parse_rows(read_annex_text(text)), registry, district_adcode="640302")
    again = resolve(parse_rows(read_annex_text(text)), registry, district_adcode="640302")
    assert list(first.schools) == list(again.schools) and list(first.waters) == list(again.waters)
    school = first.school("上桥新建小学")
    assert school.township == "上桥镇" and "新增" in school.note
    canal = first.water("新开渠")
    assert canal.kind == "branch_canal" and "新增" in canal.review
    generic = [first.waters[p.water_id] for p in first.pairs if p.exposure.source.water == "水渠"]
    assert len({w.water_id for w in generic}) == 2  # one per school, never shared


def test_unknown_lookup_is_a_chinese_error(resolution):
    with pytest.raises(UnknownPlaceError, match="找不到学校"):
        resolution.school("不存在的小学")
    with pytest.raises(UnknownPlaceError):
        resolution.water("水渠")  # ambiguous: three different canals
