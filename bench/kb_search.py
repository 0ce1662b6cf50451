"""Knowledge-base search at 40, 1,000 and 10,000 procedures: latency, accuracy, import time.

The larger sets are the curated 40 plus records built by varying the national sample
(tests/real_questions/national-sample, 207 real records): each real record is repeated for many provinces
with its code and name changed, which keeps realistic text lengths and vocabulary.
Baseline in the same run: the same scorer without the inverted index (every record scored).
The whole resolver decision (legal check, masking, evidence, neighbours) is timed on the same
queries; its table rows show plain search as the reference beside it.

``make bench`` includes these rows; ``make bench-kb`` runs this part alone (a few minutes) and
writes bench/results/kb-search.md.
"""

from __future__ import annotations

import copy
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from sqlalchemy.orm import sessionmaker

from bench.report import Row, row, write_results
from core.db import make_engine
from knowledge_base.national_import import read_national_file
from knowledge_base.repository import ProcedureRepository
from knowledge_base.resolver import resolve_procedure
from knowledge_base.schema import load_directory
from knowledge_base.search import MAX_QUERY_TERMS, Hit, ProcedureIndex, _bigrams

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "real_questions" / "national-sample"
PROVINCES = [
    "Hà Nội",
    "Huế",
    "Lai Châu",
    "Điện Biên",
    "Sơn La",
    "Lạng Sơn",
    "Quảng Ninh",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Cao Bằng",
    "Tuyên Quang",
    "Lào Cai",
    "Thái Nguyên",
    "Phú Thọ",
    "Bắc Ninh",
    "Hưng Yên",
    "Hải Phòng",
    "Ninh Bình",
    "Quảng Trị",
    "Đà Nẵng",
    "Quảng Ngãi",
    "Gia Lai",
    "Khánh Hòa",
    "Lâm Đồng",
    "Đắk Lắk",
    "TP. Hồ Chí Minh",
    "Đồng Nai",
    "Tây Ninh",
    "Cần Thơ",
    "Vĩnh Long",
    "Đồng Tháp",
    "Cà Mau",
    "An Giang",
    "vùng biên giới",
    "khu vực biển",
    "cơ quan trung ương",
    "đơn vị lực lượng vũ trang",
    "cấp xã vùng cao",
    "đặc khu",
    "phường",
    "thị trấn cũ",
    "xã đảo",
    "khu kinh tế",
    "khu công nghiệp",
    "cơ sở giáo dục",
    "bệnh viện",
    "doanh nghiệp",
    "hợp tác xã",
    "tổ chức nước ngoài",
]

CURATED_QUERIES: List[Tuple[str, str]] = [
    ("làm hộ chiếu hết bao nhiêu tiền", "ho-chieu"),
    ("lam ho chieu het bao nhieu tien", "ho-chieu"),
    ("đăng ký tạm trú cần giấy tờ gì", "tam-tru"),
    ("dk tam tru", "tam-tru"),
    ("nhập hộ khẩu cho con", "thuong-tru"),
    ("đổi cccd", "doi-cap-lai-the-can-cuoc"),
    ("mất bằng lái", "cap-lai-gplx"),
    ("sổ đỏ lần đầu", "cap-so-do-lan-dau"),
    ("đăng ký kết hôn", "ket-hon"),
    ("làm giấy khai sinh cho bé", "khai-sinh"),
    ("lý lịch tư pháp", "ly-lich-tu-phap"),
    ("rút bhxh 1 lần", "bhxh-mot-lan"),
    ("thành lập công ty", "thanh-lap-doanh-nghiep"),
    ("chứng thực bản sao", "chung-thuc-ban-sao"),
    ("trợ cấp thất nghiệp", "tro-cap-that-nghiep"),
    ("quyết toán thuế tncn", "quyet-toan-thue-tncn"),
    ("sang tên xe máy", "sang-ten-xe"),
    ("xin giấy phép xây dựng", "giay-phep-xay-dung"),
    ("định danh điện tử mức 2", "dinh-danh-dien-tu"),
    ("khai báo tạm vắng", "tam-vang"),
]


def national_records() -> List[Dict]:
    if not SAMPLE.is_dir():
        return []
    return [read_national_file(path) for path in sorted(SAMPLE.glob("*.json"))]


def scaled_set(size: int, curated: List[Dict], national: List[Dict]) -> List[Dict]:
    """``size`` records: curated first, then national records varied by province."""
    records = list(curated)
    for round_no, province in enumerate(["", *PROVINCES]):
        for base in national:
            if len(records) >= size:
                return records
            record = copy.deepcopy(base)
            if province:
                record["id"] = record["code"] = f"{base['code']}-{round_no:02d}"
                record["name"] = f"{base['name']} ({province})"
                record["aliases"] = [f"{alias} {province}" for alias in base["aliases"]]
            records.append(record)
    return records[:size]


def brute_force(index: ProcedureIndex, query: str, limit: int = 5) -> List[Hit]:
    """Baseline and reference ranking: the same scoring over every record, no index, no pruning."""
    terms = index.content_words(query)[:MAX_QUERY_TERMS]
    if not terms:
        return []
    query_terms = set(terms)
    weight = sum(index.idf(t) for t in query_terms)
    bigrams = _bigrams(terms)
    scores = []
    for pid, phrases in index._phrases.items():  # noqa: SLF001 - the baseline scans every record
        score = max((index._score(p, query_terms, weight, bigrams) for p in phrases), default=0.0)
        if score >= index.min_score:
            scores.append((pid, score))
    scores.sort(key=lambda item: (-item[1], item[0]))
    return [Hit(pid, index._names[pid], round(score, 4)) for pid, score in scores[:limit]]


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(sizes: Sequence[int] = (40, 1_000, 10_000), tmp: Path = ROOT / "var" / "bench") -> List[Dict]:
    tmp.mkdir(parents=True, exist_ok=True)
    curated = load_directory(ROOT / "knowledge_base" / "procedures")
    national = national_records()
    # an official name pasted by a citizen, lower case, without "Thủ tục" (long: the hard case)
    national_queries = [(r["name"].removeprefix("Thủ tục ").lower(), r["code"]) for r in national[:100]]
    results = []
    for size in sizes:
        records = scaled_set(size, curated, national)
        db = tmp / f"kb-{size}.db"
        db.unlink(missing_ok=True)
        started = time.perf_counter()
        ProcedureRepository(sessionmaker(bind=make_engine(f"sqlite:///{db}"), future=True)).upsert(records)
        import_seconds = time.perf_counter() - started
        started = time.perf_counter()
        index = ProcedureIndex(records)
        build_seconds = time.perf_counter() - started
        queries = CURATED_QUERIES + [(q, code) for q, code in national_queries if size > 40]
        for query, _ in queries:  # warm the text-normalisation caches both scorers share
            index.search(query)
        timings: Dict[str, List[float]] = {"ours": [], "baseline": [], "resolve": []}
        correct = {"ours": 0, "baseline": 0}
        for _ in range(3):
            for query, expected in queries:
                for name, search in (("ours", index.search), ("baseline", lambda q: brute_force(index, q))):
                    started = time.perf_counter()
                    hits = search(query)
                    timings[name].append((time.perf_counter() - started) * 1000)
                    top = hits[0].id if hits else None
                    # a varied copy of a national record ("<code>-<round>") counts as its family
                    ok = top == expected or (expected[:1].isdigit() and (top or "").startswith(f"{expected}-"))
                    correct[name] += int(ok)
                started = time.perf_counter()
                resolve_procedure(index, query)
                timings["resolve"].append((time.perf_counter() - started) * 1000)
        n = len(queries) * 3
        results.append(
            {
                "size": len(records),
                "queries": len(queries),
                "import_s": import_seconds,
                "index_build_s": build_seconds,
                **{
                    f"{name}_{stat}_ms": percentile(timings[name], q)
                    for name in timings
                    for stat, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
                },
                "ours_accuracy": correct["ours"] / n,
                "baseline_accuracy": correct["baseline"] / n,
                "ours_mean_ms": statistics.fmean(timings["ours"]),
            }
        )
    return results


def table_rows(results: List[Dict]) -> List[Row]:
    """The results tables' rows for these measurements."""
    rows: List[Row] = []
    for result in results:
        size = result["size"]
        for stat in ("p50", "p95", "p99"):
            rows.append(
                row(
                    f"KB search {stat} at {size} procedures",
                    result[f"ours_{stat}_ms"],
                    result[f"baseline_{stat}_ms"],
                    "ms",
                )
            )
        rows.append(
            row(f"KB search top-1 accuracy at {size}", result["ours_accuracy"], result["baseline_accuracy"], "ratio")
        )
        for stat in ("p50", "p99"):
            rows.append(
                row(
                    f"Procedure resolution (whole decision) {stat} at {size}, vs search alone",
                    result[f"resolve_{stat}_ms"],
                    result[f"ours_{stat}_ms"],
                    "ms",
                )
            )
        rows.append(row(f"KB import of {size} procedures", result["import_s"], None, "s"))
        rows.append(row(f"KB index build at {size}", result["index_build_s"], None, "s"))
    return rows


def main() -> int:
    print(
        write_results(
            "kb-search",
            "Knowledge-base search",
            "Baseline: the same scorer over every record, without the inverted index.",
            table_rows(run()),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
