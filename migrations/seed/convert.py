#!/usr/bin/env python3
"""Convert the standards' reference tables into Egret seed CSVs.

Reads  <repo root>/../shared/reference   (i.e. /work/shared/reference, read-only)
Writes the CSV files next to this script (migrations/seed/).

Usage:  python3 migrations/seed/convert.py [--ref DIR] [--out DIR]

Rules (see README.md in this folder):
  * never invent a regulatory number: every number written comes from a
    reference CSV (numbers are copied as text, never through float);
    an empty cell means "to be set by the lab";
  * deterministic: same input -> byte-identical output.

The script ends with a self-check (asserts) and prints row counts.
"""

import argparse
import csv
import re
import sys
import unicodedata
from collections import OrderedDict
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
DEFAULT_REF = (REPO_ROOT / ".." / "shared" / "reference").resolve()

# File names (relative to the reference folder) -----------------------------
F_36600_T1 = "gb36600_2018_table1_basic45.csv"
F_36600_T2 = "gb36600_2018_table2_other40.csv"
F_15618_T1 = "gb15618_2018_table1_screening.csv"
F_15618_T2 = "gb15618_2018_table2_screening_other.csv"
F_15618_T3 = "gb15618_2018_table3_intervention.csv"
F_14848_T1 = "gbt14848_2017_table1_conventional39.csv"
F_14848_T2 = "gbt14848_2017_table2_nonconventional54.csv"
F_3838_T1 = "gb3838_2002_table1_basic24.csv"
F_SOIL_METHODS = "methods/gb36600_2018_table3_analysis_methods.csv"
F_GW_METHODS = "methods/groundwater_39_conventional_methods.csv"
F_MDL = "methods/method_detection_limits.csv"
F_WATER_PRES = "methods/water_sample_preservation.csv"
F_PRES = "sample_preservation_holding_times.csv"


def src(fname):
    """Value of the `source` columns: path as seen from /work."""
    return "shared/reference/" + fname


# --------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------
PLAIN_DECIMAL = re.compile(r"^\d+(\.\d+)?$")


def clean(s):
    """Strip, and replace MICRO SIGN (U+00B5) by GREEK SMALL LETTER MU (U+03BC)."""
    if s is None:
        return ""
    return s.replace("\u00b5", "\u03bc").strip()


def norm_name(s):
    """Normalise a Chinese name for matching: NFKC (full-width brackets ->
    ASCII), [] -> (), prime variants -> ', drop spaces, lower-case."""
    s = unicodedata.normalize("NFKC", clean(s))
    s = s.replace("[", "(").replace("]", ")").replace("\u2032", "'").replace("\u2019", "'")
    s = re.sub(r"\s+", "", s)
    return s.lower()


def norm_unit(u):
    """Short unit only: strip a trailing parenthesised English gloss,
    '—' -> empty, µ -> μ."""
    u = clean(u)
    if u in ("—", "-", "–"):
        return ""
    u = re.sub(r"\s*\([A-Za-z][^()]*\)\s*$", "", u)
    return u.strip()


def strip_gloss(s):
    """'不得检出 (not detectable)' -> '不得检出'."""
    return re.sub(r"\s*\([A-Za-z][^()]*\)\s*$", "", clean(s)).strip()


def num(s):
    """Check that s is a plain decimal exactly as printed; return it unchanged."""
    s = clean(s)
    if not PLAIN_DECIMAL.match(s):
        raise ValueError("not a plain decimal: %r" % s)
    return s


def read_csv(ref, fname):
    with open(ref / fname, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(out, fname, header, rows):
    path = out / fname
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            if isinstance(r, dict):
                w.writerow([r.get(h, "") for h in header])
            else:
                w.writerow(r)
    return path


# --------------------------------------------------------------------------
# Analyte codes
# --------------------------------------------------------------------------
# Convention (README): English name in snake_case, natural word order, except
# that leading numeric locants move to the end (no code starts with a digit):
# 1,2-dichloroethane -> dichloroethane_1_2, 2-chlorophenol -> chlorophenol_2,
# cis-1,2-dichloroethylene -> cis_dichloroethylene_1_2. Letter prefixes stay in
# front (o_xylene, p_p_ddd, alpha_hch). Elements use their symbol; water
# indicators use short indicator names. Sums: *_total (*_total_<n> where the
# reference defines the number of components).
#
# Key: normalised Chinese name (norm_name) -> code. Same substance printed
# under different names in different standards maps to the same code.
NAME_TO_CODE_RAW = {
    # --- elements / inorganics
    "砷": "as", "镉": "cd", "铬（六价）": "cr6", "铬(六价)": "cr6", "六价铬": "cr6",
    "铬": "cr", "铜": "cu", "铅": "pb", "汞": "hg", "总汞": "hg", "镍": "ni", "锌": "zn",
    "锑": "sb", "铍": "be", "钴": "co", "甲基汞": "methylmercury", "钒": "v",
    "氰化物": "cyanide", "铁": "fe", "锰": "mn", "铝": "al", "钠": "na", "硒": "se",
    "硼": "b", "钡": "ba", "钼": "mo", "银": "ag", "铊": "tl",
    # --- VOCs
    "四氯化碳": "carbon_tetrachloride",
    "氯仿": "chloroform", "三氯甲烷": "chloroform",
    "氯甲烷": "chloromethane",
    "1,1-二氯乙烷": "dichloroethane_1_1",
    "1,2-二氯乙烷": "dichloroethane_1_2",
    "1,1-二氯乙烯": "dichloroethylene_1_1",
    "顺-1,2-二氯乙烯": "cis_dichloroethylene_1_2",
    "顺式-1,2-二氯乙烯": "cis_dichloroethylene_1_2",
    "反-1,2-二氯乙烯": "trans_dichloroethylene_1_2",
    "反式-1,2-二氯乙烯": "trans_dichloroethylene_1_2",
    "1,2-二氯乙烯": "dichloroethylene_1_2",
    "二氯甲烷": "dichloromethane",
    "1,2-二氯丙烷": "dichloropropane_1_2",
    "1,1,1,2-四氯乙烷": "tetrachloroethane_1_1_1_2",
    "1,1,2,2-四氯乙烷": "tetrachloroethane_1_1_2_2",
    "四氯乙烯": "tetrachloroethylene",
    "1,1,1-三氯乙烷": "trichloroethane_1_1_1",
    "1,1,2-三氯乙烷": "trichloroethane_1_1_2",
    "三氯乙烯": "trichloroethylene",
    "1,2,3-三氯丙烷": "trichloropropane_1_2_3",
    "氯乙烯": "vinyl_chloride",
    "苯": "benzene",
    "氯苯": "chlorobenzene",
    "1,2-二氯苯": "dichlorobenzene_1_2", "邻二氯苯": "dichlorobenzene_1_2",
    "1,4-二氯苯": "dichlorobenzene_1_4", "对二氯苯": "dichlorobenzene_1_4",
    "乙苯": "ethylbenzene",
    "苯乙烯": "styrene",
    "甲苯": "toluene",
    "间二甲苯+对二甲苯": "m_p_xylene", "间,对-二甲苯": "m_p_xylene",
    "邻二甲苯": "o_xylene", "邻-二甲苯": "o_xylene",
    "二甲苯（总量）": "xylenes_total",
    "三氯苯（总量）": "trichlorobenzenes_total",
    "一溴二氯甲烷": "bromodichloromethane",
    "溴仿": "bromoform", "三溴甲烷": "bromoform",
    "二溴氯甲烷": "dibromochloromethane",
    "1,2-二溴乙烷": "dibromoethane_1_2",
    # --- SVOCs
    "硝基苯": "nitrobenzene",
    "苯胺": "aniline",
    "2-氯酚": "chlorophenol_2",
    "苯并[a]蒽": "benz_a_anthracene",
    "苯并[a]芘": "benzo_a_pyrene",
    "苯并[b]荧蒽": "benzo_b_fluoranthene",
    "苯并[k]荧蒽": "benzo_k_fluoranthene",
    "䓛": "chrysene",
    "二苯并[a,h]蒽": "dibenz_a_h_anthracene",
    "茚并[1,2,3-cd]芘": "indeno_1_2_3_cd_pyrene",
    "萘": "naphthalene",
    "蒽": "anthracene",
    "荧蒽": "fluoranthene",
    "六氯环戊二烯": "hexachlorocyclopentadiene",
    "2,4-二硝基甲苯": "dinitrotoluene_2_4",
    "2,6-二硝基甲苯": "dinitrotoluene_2_6",
    "2,4-二氯酚": "dichlorophenol_2_4",
    "2,4,6-三氯酚": "trichlorophenol_2_4_6",
    "2,4-二硝基酚": "dinitrophenol_2_4",
    "五氯酚": "pentachlorophenol",
    "邻苯二甲酸二(2-乙基己基)酯": "bis_2_ethylhexyl_phthalate",
    "邻苯二甲酸丁基苄酯": "butyl_benzyl_phthalate",
    "邻苯二甲酸二正辛酯": "di_n_octyl_phthalate",
    "3,3'-二氯联苯胺": "dichlorobenzidine_3_3",
    # --- pesticides
    "阿特拉津": "atrazine", "莠去津": "atrazine",
    "氯丹": "chlordane",
    "p,p'-滴滴滴": "p_p_ddd",
    "p,p'-滴滴伊": "p_p_dde",
    "滴滴涕": "ddt",                     # GB 36600: o,p'-DDT + p,p'-DDT
    "滴滴涕总量": "ddt_total_4",         # GB 15618: 4 components
    "滴滴涕（总量）": "ddt_total_4",     # GB/T 14848 (see README: unsure)
    "敌敌畏": "dichlorvos",
    "乐果": "dimethoate",
    "硫丹": "endosulfan",
    "七氯": "heptachlor",
    "α-六六六": "alpha_hch",
    "β-六六六": "beta_hch",
    "γ-六六六": "gamma_hch", "γ-六六六（林丹）": "gamma_hch",
    "六六六总量": "hch_total_4",         # GB 15618: 4 isomers
    "六六六（总量）": "hch_total_4",     # GB/T 14848 (see README: unsure)
    "六氯苯": "hexachlorobenzene",
    "灭蚁灵": "mirex",
    "2,4-滴": "dichlorophenoxyacetic_acid_2_4",
    "克百威": "carbofuran",
    "涕灭威": "aldicarb",
    "甲基对硫磷": "methyl_parathion",
    "马拉硫磷": "malathion",
    "毒死蜱": "chlorpyrifos",
    "百菌清": "chlorothalonil",
    "草甘膦": "glyphosate",
    # --- PCBs, PBBs, dioxins, TPH
    # 多氯联苯（总量） is per-file (see FILE_NAME_OVERRIDES)
    "3,3',4,4',5-五氯联苯（PCB 126）": "pcb_126",
    "3,3',4,4',5,5'-六氯联苯（PCB 169）": "pcb_169",
    "二噁英类（总毒性当量）": "dioxins_teq",
    "多溴联苯（总量）": "pbbs_total",
    "石油烃（C10-C40）": "tph_c10_c40",
    # --- water indicators
    "色": "colour",
    "嗅和味": "odour_taste",
    "浑浊度": "turbidity", "浊度": "turbidity",
    "肉眼可见物": "visible_matter",
    "pH": "ph", "pH值": "ph",
    "总硬度(以CaCO3计)": "total_hardness",
    "溶解性总固体": "tds",
    "硫酸盐": "sulfate",
    "氯化物": "chloride",
    "挥发性酚类(以苯酚计)": "volatile_phenols", "挥发酚": "volatile_phenols",
    "阴离子表面活性剂": "anionic_surfactant",
    "耗氧量(CODMn法,以O2计)": "codmn", "高锰酸盐指数": "codmn",
    "氨氮(以N计)": "ammonia_n", "氨氮(NH3-N)": "ammonia_n", "氨氮": "ammonia_n",
    "硫化物": "sulfide",
    "总大肠菌群": "total_coliforms",
    "菌落总数": "total_bacteria",
    "亚硝酸盐(以N计)": "nitrite_n",
    "硝酸盐(以N计)": "nitrate_n",
    "氟化物": "fluoride", "氟化物(以F-计)": "fluoride",
    "碘化物": "iodide",
    "总α放射性": "gross_alpha",
    "总β放射性": "gross_beta",
    "水温": "water_temperature",
    "溶解氧": "do",
    "化学需氧量(COD)": "cod",
    "五日生化需氧量(BOD5)": "bod5",
    "总磷(以P计)": "total_p",
    "总氮(湖、库,以N计)": "total_n",
    "石油类": "petroleum",
    "粪大肠菌群": "fecal_coliforms",
}
NAME_TO_CODE = {}
for _k, _v in NAME_TO_CODE_RAW.items():
    _n = norm_name(_k)
    assert NAME_TO_CODE.get(_n, _v) == _v, ("conflicting name map", _k)
    NAME_TO_CODE[_n] = _v

# Same printed name, different defined quantity -> per-file code.
FILE_NAME_OVERRIDES = {
    (F_36600_T2, norm_name("多氯联苯（总量）")): "pcbs_total_12",
    (F_14848_T2, norm_name("多氯联苯（总量）")): "pcbs_total_gbt14848",
}

# Analyte names that are edited (condition moved from the name to the limit note).
NAME_OVERRIDES = {
    "total_n": ("总氮(以N计)", "Total nitrogen (as N)"),
}


def code_for(fname, name_cn):
    n = norm_name(name_cn)
    if (fname, n) in FILE_NAME_OVERRIDES:
        return FILE_NAME_OVERRIDES[(fname, n)]
    if n not in NAME_TO_CODE:
        raise KeyError("no analyte code for %r in %s" % (name_cn, fname))
    return NAME_TO_CODE[n]


class Analytes:
    """Registry in first-occurrence order."""

    def __init__(self):
        self.rows = OrderedDict()
        self.seen_names = OrderedDict()  # code -> list of (file, name_cn)

    def add(self, fname, name_cn, name_en, cas, unit):
        code = code_for(fname, name_cn)
        cas = clean(cas)
        if cas in ("—", "-"):
            cas = ""
        self.seen_names.setdefault(code, [])
        if (fname, clean(name_cn)) not in self.seen_names[code]:
            self.seen_names[code].append((fname, clean(name_cn)))
        if code not in self.rows:
            zh, en = clean(name_cn), clean(name_en)
            if code in NAME_OVERRIDES:
                zh, en = NAME_OVERRIDES[code]
            self.rows[code] = {
                "code": code, "name_zh": zh, "name_en": en,
                "cas": cas, "default_unit": norm_unit(unit),
            }
        else:
            r = self.rows[code]
            if cas:
                if r["cas"] and r["cas"] != cas:
                    raise AssertionError("CAS conflict for %s: %s vs %s" % (code, r["cas"], cas))
                r["cas"] = cas
        return code


# --------------------------------------------------------------------------
# Standard limits
# --------------------------------------------------------------------------
LIMIT_HEADER = ["standard_code", "analyte_code", "category", "kind", "unit", "value",
                "lower", "upper", "lower_inclusive", "upper_inclusive", "text",
                "ph_min", "ph_max", "note", "source"]
CLASSES = ["class_I", "class_II", "class_III", "class_IV", "class_V"]


def limit(**kw):
    row = {h: "" for h in LIMIT_HEADER}
    row.update(kw)
    return row


def gb36600(ref, A, limits, missing):
    cols = [("first_class", "screening", "screening_cat1_mg_kg"),
            ("second_class", "screening", "screening_cat2_mg_kg"),
            ("first_class", "intervention", "intervention_cat1_mg_kg"),
            ("second_class", "intervention", "intervention_cat2_mg_kg")]
    package = []
    n_items = 0
    for fname in (F_36600_T1, F_36600_T2):
        for r in read_csv(ref, fname):
            n_items += 1
            code = A.add(fname, r["name_cn"], r["name_en"], r["cas"], "mg/kg")
            if fname == F_36600_T1:
                package.append(code)
            for cat, kind, col in cols:
                v = clean(r[col])
                if v in ("", "—"):
                    missing.append("%s no.%s %s %s/%s" % (fname, r["no"], r["name_cn"], cat, kind))
                    continue
                limits.append(limit(standard_code="GB36600-2018", analyte_code=code,
                                    category=cat, kind=kind, unit="mg/kg", value=num(v),
                                    note=clean(r["footnote"]), source=src(fname)))
    return n_items, package


PH_BANDS = [("pH<=5.5", "", "5.5"), ("5.5<pH<=6.5", "5.5", "6.5"),
            ("6.5<pH<=7.5", "6.5", "7.5"), ("pH>7.5", "7.5", "")]


def ph_band_bounds(col):
    """Derive ph_min/ph_max from the reference column header itself."""
    m = re.fullmatch(r"(?:(\d+(?:\.\d+)?)<)?pH(?:<=(\d+(?:\.\d+)?)|>(\d+(?:\.\d+)?))?", col)
    lo, hi, gt = m.group(1), m.group(2), m.group(3)
    return (lo or gt or ""), (hi or "")


LAND_USE = {"水田": "paddy", "果园": "orchard", "其他": "other", "all": "all"}


def land_use(s):
    head = clean(s).split(" ")[0]
    return LAND_USE[head]


def gb15618(ref, A, limits):
    for fname, kind in ((F_15618_T1, "screening"), (F_15618_T3, "intervention")):
        for r in read_csv(ref, fname):
            code = A.add(fname, r["name_cn"], r["name_en"], "", r["unit"])
            cat = land_use(r["land_use"]) if "land_use" in r else "all"
            for col, _lo, _hi in PH_BANDS:
                lo, hi = ph_band_bounds(col)
                assert (lo, hi) == (_lo, _hi), (col, lo, hi)
                limits.append(limit(standard_code="GB15618-2018", analyte_code=code,
                                    category=cat, kind=kind, unit=norm_unit(r["unit"]),
                                    value=num(r[col]), ph_min=lo, ph_max=hi,
                                    note=clean(r["note"]), source=src(fname)))
    fname = F_15618_T2
    for r in read_csv(ref, fname):
        code = A.add(fname, r["name_cn"], r["name_en"], "", "mg/kg")
        limits.append(limit(standard_code="GB15618-2018", analyte_code=code,
                            category="all", kind="screening", unit="mg/kg",
                            value=num(r["screening_value_mg_kg"]),
                            note=clean(r["note"]), source=src(fname)))


NUM = r"(\d+(?:\.\d+)?)"


def parse_ph_expr(expr):
    """'6.5≤pH≤8.5' | '5.5≤pH<6.5' | 'pH<5.5' | 'pH>9.0' -> bounds dict."""
    e = expr.replace(" ", "")
    m = re.fullmatch(NUM + r"(≤|<)pH(≤|<)" + NUM, e)
    if m:
        return dict(lower=m.group(1), lower_inclusive="true" if m.group(2) == "≤" else "false",
                    upper=m.group(4), upper_inclusive="true" if m.group(3) == "≤" else "false")
    m = re.fullmatch(r"pH(≤|<|≥|>)" + NUM, e)
    if m:
        op, v = m.group(1), m.group(2)
        if op in ("≤", "<"):
            return dict(upper=v, upper_inclusive="true" if op == "≤" else "false")
        return dict(lower=v, lower_inclusive="true" if op == "≥" else "false")
    raise ValueError("unparsed pH expression %r" % expr)


def parse_class_cell(cell):
    """Parse one GB/T 14848 / GB 3838 class cell -> list of partial rows.
    Returns (rows, odd) where odd=True if the reference wording is kept in `text`."""
    c = clean(cell)
    m = re.fullmatch(r"≤\s*" + NUM, c)
    if m:
        return [dict(upper=m.group(1), upper_inclusive="true")], False
    m = re.fullmatch(r">\s*" + NUM, c)
    if m:
        return [dict(lower=m.group(1), lower_inclusive="false")], False
    m = re.fullmatch(r"≥\s*" + NUM, c)
    if m:
        return [dict(lower=m.group(1), lower_inclusive="true")], False
    if "pH" in c:
        return [parse_ph_expr(p) for p in re.split(r"\s*或\s*", c)], False
    m = re.fullmatch(NUM + r"\s*~\s*" + NUM, c)
    if m:  # GB 3838 pH 6~9, both inclusive
        return [dict(lower=m.group(1), lower_inclusive="true",
                     upper=m.group(2), upper_inclusive="true")], False
    if c in ("无", "有"):
        return [dict(text=c)], False
    if strip_gloss(c) == "不得检出":
        return [dict(text="不得检出")], False
    m = re.fullmatch(r"≥饱和率\d+%（或" + NUM + r"）", c)
    if m:  # GB 3838 DO class I: numeric alternative, keep the exact words
        return [dict(lower=m.group(1), lower_inclusive="true", text=c)], True
    raise ValueError("unparsed class cell %r" % cell)


def gbt14848(ref, A, limits, odd_cells):
    packages = []
    for fname in (F_14848_T1, F_14848_T2):
        for r in read_csv(ref, fname):
            code = A.add(fname, r["name_cn"], r["name_en"], "", r["unit"])
            if fname == F_14848_T1:
                packages.append(code)
            note = clean(r.get("note", ""))
            for cls in CLASSES:
                parts, odd = parse_class_cell(r[cls])
                if odd:
                    odd_cells.append("%s no.%s %s %s: %s" % (fname, r["no"], r["name_cn"], cls, r[cls]))
                for p in parts:
                    limits.append(limit(standard_code="GBT14848-2017", analyte_code=code,
                                        category=cls, kind="class_limit",
                                        unit=norm_unit(r["unit"]), note=note,
                                        source=src(fname), **p))
    return packages


def gb3838(ref, A, limits, odd_cells):
    fname = F_3838_T1
    for r in read_csv(ref, fname):
        code = A.add(fname, r["name_cn"], r["name_en"], "", r["unit"])
        unit = norm_unit(r["unit"])
        note = clean(r["note"])
        base = dict(standard_code="GB3838-2002", analyte_code=code, kind="class_limit",
                    unit=unit, source=src(fname))
        if r["rule_type"] == "text":
            # water temperature: one text cell that the reference says applies to all classes
            text = clean(r["class_I"])
            assert all(clean(r[c]) == "" for c in CLASSES[1:])
            assert note == "applies to all classes"
            odd_cells.append("%s no.%s %s: text only, copied to class_I..class_V (%s)"
                             % (fname, r["no"], r["name_cn"], note))
            for cls in CLASSES:
                limits.append(limit(category=cls, text=text, note=note, **base))
            continue
        if code == "total_p":
            main_note = ""
        elif code == "total_n":
            main_note = "lake_reservoir; 湖、库 (总氮 applies to lakes/reservoirs only)"
        else:
            main_note = note
        for cls in CLASSES:
            parts, odd = parse_class_cell(r[cls])
            if odd:
                odd_cells.append("%s no.%s %s %s: %s" % (fname, r["no"], r["name_cn"], cls, r[cls]))
            for p in parts:
                limits.append(limit(category=cls, note=main_note, **base, **p))
        if code == "total_p":
            # note: "湖、库 (lakes/reservoirs): ≤0.01 / ≤0.025 / ≤0.05 / ≤0.1 / ≤0.2"
            m = re.fullmatch(r"湖、库 \(lakes/reservoirs\):\s*(.*)", note)
            assert m, note
            cells = [x.strip() for x in m.group(1).split("/")]
            assert len(cells) == 5, cells
            for cls, cell in zip(CLASSES, cells):
                parts, _ = parse_class_cell(cell)
                for p in parts:
                    limits.append(limit(category=cls, note="lake_reservoir; 湖、库", **base, **p))


# --------------------------------------------------------------------------
# Methods
# --------------------------------------------------------------------------
def method_key(code, matrix):
    c = clean(code).lower()
    unverified = "?" in c
    c = c.strip("()?").replace("?", "")
    c = re.sub(r"^(gb/t|gb|hj/t|hj|dz/t)\s+", lambda m: m.group(1).replace("/", ""), c)
    c = c.replace("§", "s")
    c = re.sub(r"[^a-z0-9]+", "-", c).strip("-")
    if unverified:
        c += "-unverified"
    return "%s-%s" % (c, matrix)


TECHNIQUES = [  # (title substring, technique) - first match wins
    ("同位素稀释高分辨气相色谱-高分辨质谱", "HRGC-HRMS"),
    ("吹扫捕集", "P&T GC-MS"),
    ("顶空/气相色谱-质谱", "HS GC-MS"),
    ("气相色谱-质谱", "GC-MS"),
    ("GC-MS", "GC-MS"),
    ("气相色谱法", "GC"),
    ("电感耦合等离子体质谱", "ICP-MS"),
    ("ICP-MS", "ICP-MS"),
    ("原子荧光", "AFS"),
    ("石墨炉原子吸收", "GFAAS"),
    ("火焰原子吸收", "FAAS"),
    ("冷原子吸收", "CVAAS"),
    ("原子吸收分光光度法", "AAS"),
    ("离子色谱", "IC"),
    ("电极法", "potentiometry"),
    ("电位法", "potentiometry"),
    ("浊度计法", "turbidimetry"),
    ("目视比浊法", "visual turbidimetry"),
    ("比浊法", "turbidimetry"),
    ("分光光度法", "spectrophotometry"),
    ("比色法", "colorimetry"),
    ("嗅气和尝味法", "sensory"),
    ("直接观察法", "visual observation"),
    ("滴定法", "titration"),
    ("容量法", "titration"),
    ("称量法", "gravimetry"),
]


def technique(title):
    for key, tech in TECHNIQUES:
        if key in title:
            return tech
    return ""


def split_list(s):
    s = clean(s)
    return [x.strip() for x in s.split(" ; ")] if s else []


def hj605_alias(evidence):
    m = re.search(r"HJ 605-2011 Table A\.1 as 「([^」]+)」", evidence)
    return m.group(1) if m else None


def collect_candidates(ref, A):
    """Return (methods OrderedDict key->row, pairs list of (key, analyte, matrix))."""
    methods = OrderedDict()
    pairs = []
    conf = {}

    def add_method(code, title, matrix, fname, confidence):
        key = method_key(code, matrix)
        if key not in methods:
            methods[key] = {"key": key, "code": clean(code), "title": clean(title),
                            "matrix": matrix, "fname": fname}
            conf[key] = []
        else:
            assert methods[key]["code"] == clean(code), (key, code)
            if len(clean(title)) > len(methods[key]["title"]):
                methods[key]["title"] = clean(title)
        if confidence and confidence not in conf[key]:
            conf[key].append(confidence)
        return key

    soil_order = []
    for r in read_csv(ref, F_SOIL_METHODS):
        fname = F_36600_T1 if r["table"] == "Table 1" else F_36600_T2
        code = code_for(fname, r["name_cn"])
        assert code in A.rows, code
        soil_order.append(code)
        for std, title in zip(split_list(r["candidate_std_nos"]), split_list(r["candidate_method_names"])):
            key = add_method(std, title, "soil", F_SOIL_METHODS, clean(r["candidate_confidence"]))
            pairs.append((key, code, "soil", clean(r["candidate_evidence"])))
    for r in read_csv(ref, F_GW_METHODS):
        code = code_for(F_14848_T1, r["name_cn"])
        assert code in A.rows, code
        stds = split_list(r["candidate_std_nos"])
        titles = split_list(r["candidate_method_names"])
        confs = split_list(r["candidate_confidence"])
        if len(confs) == 1 and len(stds) > 1:
            confs = confs * len(stds)
        for std, title, cf in zip(stds, titles, confs):
            key = add_method(std, title, "groundwater", F_GW_METHODS, cf)
            pairs.append((key, code, "groundwater", clean(r["candidate_evidence"])))
    # Prefer the fullest title printed anywhere in the method files for the same code.
    for r in read_csv(ref, F_MDL):
        for m in methods.values():
            if clean(r["std_no"]) == m["code"] and len(clean(r["method_name"])) > len(m["title"]):
                m["title"] = clean(r["method_name"])
    for key, m in methods.items():
        m["technique"] = technique(m["title"])
        m["status"] = "candidate — lab to confirm"
        m["source"] = "%s; confidence: %s" % (src(m["fname"]), " | ".join(conf[key]))
    return methods, pairs


# --------------------------------------------------------------------------
# Method analytes: MDL, unit, preservation
# --------------------------------------------------------------------------
MODE = re.compile(r"\s*\((full scan|SIM)\)\s*$")


def mdl_analyte_code(s):
    s = MODE.sub("", clean(s))
    for cand in (s, s.split(" ")[0]):
        n = norm_name(cand)
        if n in NAME_TO_CODE:
            return NAME_TO_CODE[n]
    return None


def mdl_mode(s):
    m = MODE.search(clean(s))
    return m.group(1) if m else ""


def hours(text):
    """'14 d' -> '336', '48 h' -> '48' (first duration in the text)."""
    m = re.search(r"(\d+(?:\.\d+)?)\s*(h|d)\b", text)
    if not m:
        return ""
    v = Decimal(m.group(1)) * (24 if m.group(2) == "d" else 1)
    return str(v.quantize(Decimal(1))) if v == v.to_integral_value() else str(v)


def preservation_rows(ref):
    """(method code, matcher, row) from the two preservation files, only rows
    whose governing clause names a method code."""
    out = []
    for r in read_csv(ref, F_WATER_PRES):
        if r["status"] == "not_found":
            continue
        out.append(("water", F_WATER_PRES, clean(r["governing_clause"]), clean(r["parameter"]),
                    clean(r["container"]), clean(r["preservative"]), clean(r["storage_temp"]),
                    clean(r["max_holding_time"])))
    for r in read_csv(ref, F_PRES):
        if not clean(r["medium"]).startswith("soil") or "not_found" in r["status"]:
            continue
        out.append(("soil", F_PRES, clean(r["governing_clause"]), clean(r["parameter_zh"]),
                    clean(r["container"]), clean(r["preservative"]), clean(r["storage_temp"]),
                    clean(r["max_holding_time"])))
    return out


GROUP_WORDS = ("挥发性有机物", "金属", "VOCs")


def match_preservation(pres, method_code, analyte, matrix):
    for med, fname, clause, param, container, preservative, storage, hold in pres:
        if (matrix == "soil") != (med == "soil"):
            continue
        if not (clause == method_code or clause.startswith(method_code + " ")):
            continue
        if any(w in param for w in GROUP_WORDS):
            ok = True  # the row covers every analyte of that method
        else:
            ok = mdl_analyte_code(param) == analyte
        if not ok:
            continue
        if not (container or preservative or storage or hold):
            continue
        pv = preservative
        if storage:
            pv = (pv + " | " if pv else "") + "storage: " + storage
        h = hu = ""
        if hold and "not captured" not in hold and "not_found" not in hold:
            h = hours(hold)
            m = re.search(r"(?:unacidified:|未酸化样品)\s*(\d+(?:\.\d+)?\s*(?:h|d))", hold)
            if m:
                hu = hours(m.group(1))
        return dict(holding_time_hours=h, holding_time_unpreserved_hours=hu,
                    container=container, preservative=pv, pres_source="%s (%s)" % (src(fname), clause))
    return None


MA_HEADER = ["method_key", "analyte_code", "unit", "mdl", "decimals", "significant_figures",
             "result_type", "text_options", "holding_time_hours",
             "holding_time_unpreserved_hours", "container", "preservative", "mdl_source"]
TEXT_RESULT = {"odour_taste", "visible_matter"}


def method_analytes(ref, A, methods, pairs, std_unit, report):
    mdl_rows = read_csv(ref, F_MDL)
    pres = preservation_rows(ref)
    # unit in which each method states its detection limits (any MDL row of that code)
    method_unit = {}
    for r in mdl_rows:
        u = norm_unit(r["unit"])
        if u:
            method_unit.setdefault(clean(r["std_no"]), set()).add(u)
    rows = []
    seen = set()
    for key, analyte, matrix, evidence in pairs:
        m = methods[key]
        code = m["code"]
        if (key, analyte) in seen:
            continue
        seen.add((key, analyte))
        units = method_unit.get(code)
        if units:
            assert len(units) == 1, (code, units)
            unit = next(iter(units))
        else:
            unit = std_unit[(matrix, analyte)]
        # extra alias printed in the soil evidence column (HJ 605 Table A.1 name)
        aliases = {analyte}
        hits = []
        for r in mdl_rows:
            if clean(r["std_no"]) != code:
                continue
            a = mdl_analyte_code(r["analyte"])
            if a is None and code == "HJ 605-2011":
                al = hj605_alias(evidence)
                if al and norm_name(r["analyte"]) == norm_name(al):
                    a = analyte
            if a in aliases:
                hits.append(r)
        mdl = mdl_src = ""
        if len(hits) == 1:
            r = hits[0]
            v = clean(r["mdl"])
            if PLAIN_DECIMAL.match(v):
                assert norm_unit(r["unit"]) == unit, (code, analyte, r["unit"], unit)
                mdl = v
                mdl_src = "%s; %s; confidence: %s" % (src(F_MDL), clean(r["source"]), clean(r["confidence"]))
                if clean(r["note"]):
                    mdl_src += "; note: " + clean(r["note"])
                if code == "GB/T 17141-1997" and analyte == "cd":
                    mdl_src += "; FLAGGED in methods/README.md caveat 2 (kept 0.01 as the README says; verify against the official text)"
            else:
                report.append("no MDL (not a single value: %r) for %s x %s" % (v, code, analyte))
        elif len(hits) > 1:
            modes = ["%s %s %s" % (mdl_mode(r["analyte"]) or "?", clean(r["mdl"]), norm_unit(r["unit"])) for r in hits]
            mdl_src = ("not set: %s gives %d mode-dependent values (%s) in %s; lab to choose by acquisition mode"
                       % (code, len(hits), "; ".join(modes), src(F_MDL)))
            report.append("MDL ambiguous for %s x %s: %s" % (code, analyte, "; ".join(modes)))
        p = match_preservation(pres, code, analyte, matrix) or {}
        if p:
            report.append("preservation for %s x %s from %s" % (code, analyte, p["pres_source"]))
        rows.append({
            "method_key": key, "analyte_code": analyte, "unit": unit, "mdl": mdl,
            "decimals": "", "significant_figures": "",
            "result_type": "text" if analyte in TEXT_RESULT else "numeric",
            "text_options": "无;有" if analyte in TEXT_RESULT else "",
            "holding_time_hours": p.get("holding_time_hours", ""),
            "holding_time_unpreserved_hours": p.get("holding_time_unpreserved_hours", ""),
            "container": p.get("container", ""), "preservative": p.get("preservative", ""),
            "mdl_source": mdl_src,
        })
    return rows


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------
MATRICES = [
    ("soil", "土壤", "Soil", "SO"),
    ("groundwater", "地下水", "Groundwater", "GW"),
    ("surface_water", "地表水", "Surface water", "SW"),
    ("seawater", "海水", "Seawater", "SE"),
    ("sediment", "沉积物", "Sediment", "SD"),
    ("wastewater", "废水", "Wastewater", "WW"),
]

STANDARDS = [
    ("GB36600-2018", "GB 36600-2018 土壤环境质量 建设用地土壤污染风险管控标准（试行）",
     "GB 36600-2018 Soil environmental quality — Risk control standard for soil contamination of development land (for trial implementation)",
     "soil"),
    ("GB15618-2018", "GB 15618-2018 土壤环境质量 农用地土壤污染风险管控标准（试行）",
     "GB 15618-2018 Soil environmental quality — Risk control standard for soil contamination of agricultural land (for trial implementation)",
     "soil"),
    ("GBT14848-2017", "GB/T 14848-2017 地下水质量标准",
     "GB/T 14848-2017 Standard for groundwater quality", "groundwater"),
    ("GB3838-2002", "GB 3838-2002 地表水环境质量标准",
     "GB 3838-2002 Environmental quality standards for surface water", "surface_water"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ref", type=Path, default=DEFAULT_REF)
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args()
    ref, out = args.ref.resolve(), args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    A = Analytes()
    limits, missing, odd = [], [], []
    n36600, pkg_soil = gb36600(ref, A, limits, missing)
    gb15618(ref, A, limits)
    pkg_gw = gbt14848(ref, A, limits, odd)
    gb3838(ref, A, limits, odd)

    # unit of each analyte in the standard that the method candidate list belongs to
    std_unit = {}
    for r in limits:
        if r["standard_code"] == "GB36600-2018":
            std_unit[("soil", r["analyte_code"])] = r["unit"]
        elif r["standard_code"] == "GBT14848-2017":
            std_unit[("groundwater", r["analyte_code"])] = r["unit"]

    methods, pairs = collect_candidates(ref, A)
    report = []
    ma = method_analytes(ref, A, methods, pairs, std_unit, report)

    # lab placeholder: soil pH (needed by GB 15618 pH bands)
    assert "ph" in A.rows
    methods["lab-soil-ph"] = {
        "key": "lab-soil-ph", "code": "LAB-SOIL-PH",
        "title": "土壤 pH 值的测定（方法标准由实验室确定）", "matrix": "soil", "technique": "",
        "status": "placeholder — lab to set the method standard", "source": "none in shared/reference",
    }
    ma.append({"method_key": "lab-soil-ph", "analyte_code": "ph", "unit": "无量纲",
               "result_type": "numeric"})

    packages = []
    for i, c in enumerate(pkg_soil, 1):
        packages.append(["GB36600-basic45", "GB 36600-2018 表1 基本项目（45项）", "soil", str(i), c])
    for i, c in enumerate(pkg_gw, 1):
        packages.append(["GBT14848-conventional39", "GB/T 14848-2017 表1 常规指标（39项）", "groundwater", str(i), c])

    # ---------------- write ----------------
    write_csv(out, "matrices.csv", ["code", "name_zh", "name_en", "lab_id_prefix"], MATRICES)
    write_csv(out, "analytes.csv", ["code", "name_zh", "name_en", "cas", "default_unit"], list(A.rows.values()))
    write_csv(out, "standards.csv", ["code", "title", "title_en", "matrix"], STANDARDS)
    write_csv(out, "standard_limits.csv", LIMIT_HEADER, limits)
    write_csv(out, "methods.csv", ["key", "code", "title", "matrix", "technique", "status", "source"],
              list(methods.values()))
    write_csv(out, "method_analytes.csv", MA_HEADER, ma)
    write_csv(out, "packages.csv", ["package_code", "name", "matrix", "position", "analyte_code"], packages)

    # ---------------- self-check ----------------
    self_check(out, n36600, missing)

    # ---------------- report ----------------
    print("== analytes merged across different printed names (check README 'matches') ==")
    for code, names in A.seen_names.items():
        distinct = sorted({norm_name(n) for _, n in names})
        if len(distinct) > 1:
            print("  %-28s %s" % (code, " | ".join("%s [%s]" % (n, f.split('/')[-1]) for f, n in names)))
    if missing:
        print("== GB 36600 cells empty in the reference (no row written) ==")
        for m in missing:
            print("  " + m)
    else:
        print("== GB 36600: no empty cells; all 85 x 4 rows written ==")
    print("== odd class cells (reference words kept in `text`) ==")
    for o in odd:
        print("  " + o)
    print("== method_analytes notes ==")
    for r in report:
        print("  " + r)


def read_back(out, fname):
    with open(out / fname, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def self_check(out, n36600, missing):
    an = read_back(out, "analytes.csv")
    codes = [r["code"] for r in an]
    assert len(codes) == len(set(codes)), "duplicate analyte codes"
    for c in codes:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", c), ("bad analyte code", c)
    cas_all = [c.strip() for r in an for c in r["cas"].split(",") if c.strip()]
    assert len(cas_all) == len(set(cas_all)), "duplicate CAS"
    code_set = set(codes)

    mats = {r["code"] for r in read_back(out, "matrices.csv")}
    stds = read_back(out, "standards.csv")
    std_codes = {r["code"] for r in stds}
    assert all(r["matrix"] in mats for r in stds)

    lim = read_back(out, "standard_limits.csv")
    assert n36600 == 85, n36600
    n_gb36600 = sum(1 for r in lim if r["standard_code"] == "GB36600-2018")
    assert n_gb36600 == 340 - len(missing), n_gb36600
    if missing:
        print("GB 36600 rows: %d (340 minus %d empty reference cells)" % (n_gb36600, len(missing)))
    keys = set()
    for r in lim:
        assert r["standard_code"] in std_codes
        assert r["analyte_code"] in code_set, r["analyte_code"]
        assert r["kind"] in ("screening", "intervention", "class_limit")
        assert r["lower_inclusive"] in ("", "true", "false")
        assert r["upper_inclusive"] in ("", "true", "false")
        assert (r["lower"] == "") == (r["lower_inclusive"] == ""), r
        assert (r["upper"] == "") == (r["upper_inclusive"] == ""), r
        assert r["value"] or r["lower"] or r["upper"] or r["text"], r
        for col in ("value", "lower", "upper", "ph_min", "ph_max"):
            assert r[col] == "" or PLAIN_DECIMAL.match(r[col]), (col, r[col])
        assert "\u00b5" not in r["unit"]
        k = (r["standard_code"], r["analyte_code"], r["category"], r["kind"],
             r["ph_min"], r["ph_max"], r["lower"], r["upper"])
        assert k not in keys, ("duplicate limit row", k)
        keys.add(k)

    meth = read_back(out, "methods.csv")
    mkeys = [r["key"] for r in meth]
    assert len(mkeys) == len(set(mkeys)), "duplicate method keys"
    assert len({(r["code"], r["matrix"]) for r in meth}) == len(meth), "duplicate (code, matrix)"
    for r in meth:
        assert r["matrix"] in mats
        assert re.fullmatch(r"[a-z0-9-]+", r["key"]), r["key"]
    mkset = set(mkeys)

    ma = read_back(out, "method_analytes.csv")
    assert len({(r["method_key"], r["analyte_code"]) for r in ma}) == len(ma), "duplicate method_analyte"
    for r in ma:
        assert r["method_key"] in mkset, r["method_key"]
        assert r["analyte_code"] in code_set, r["analyte_code"]
        assert r["result_type"] in ("numeric", "text")
        for col in ("mdl", "decimals", "significant_figures", "holding_time_hours",
                    "holding_time_unpreserved_hours"):
            assert r[col] == "" or PLAIN_DECIMAL.match(r[col]), (col, r[col])
        assert (r["mdl"] == "") or r["mdl_source"], r

    pk = read_back(out, "packages.csv")
    n_soil = sum(1 for r in pk if r["package_code"] == "GB36600-basic45")
    n_gw = sum(1 for r in pk if r["package_code"] == "GBT14848-conventional39")
    assert (n_soil, n_gw) == (45, 39), (n_soil, n_gw)
    assert len({(r["package_code"], r["position"]) for r in pk}) == len(pk)
    assert len({(r["package_code"], r["analyte_code"]) for r in pk}) == len(pk)
    for r in pk:
        assert r["analyte_code"] in code_set
        assert r["matrix"] in mats
        assert PLAIN_DECIMAL.match(r["position"])

    # every file: UTF-8, no MICRO SIGN, no exponent notation in number-like cells
    for f in sorted(out.glob("*.csv")):
        text = f.read_text(encoding="utf-8")
        assert "\u00b5" not in text, f
    print("== self-check passed ==")
    counts = OrderedDict()
    for f in ("matrices.csv", "analytes.csv", "standards.csv", "standard_limits.csv",
              "methods.csv", "method_analytes.csv", "packages.csv"):
        counts[f] = len(read_back(out, f))
    for f, n in counts.items():
        print("  %-22s %5d rows" % (f, n))
    by_std = OrderedDict()
    for r in lim:
        by_std[r["standard_code"]] = by_std.get(r["standard_code"], 0) + 1
    for s, n in by_std.items():
        print("    standard_limits %-14s %4d" % (s, n))
    print("    packages GB36600-basic45 %d, GBT14848-conventional39 %d" % (n_soil, n_gw))


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, KeyError, ValueError) as e:
        print("convert.py FAILED: %r" % (e,), file=sys.stderr)
        raise
