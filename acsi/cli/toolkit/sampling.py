"""``acsi sampling size|allocate|margin|draw`` and ``acsi sample-size`` (the first form of ``sampling size``)."""

from __future__ import annotations

from .common import add_file, add_tail, group, leaf, runs

__all__ = ["register"]


_size = runs("sample_size", "margin", "p", "sd", "confidence", "population")
_allocate = runs("allocation", "stratum", "size", "n", "method", "sd", "confidence")
_margin = runs("stratified_margin", "stratum", "size", "sd", "n_column", "confidence", fpc=lambda a: not a.no_fpc)
_draw = runs("sample", "n", "design", "strata", "allocation", "seed")


def register_size(sub, name: str, *, legacy: bool) -> None:
    p = leaf(sub, name, "sample size for a proportion or a mean" + (" (= acsi sampling size)" if legacy else ""),
             "Cochran's sample size with optional finite-population correction; n is the ceiling (385 for "
             "+-5%% at 95%%).",
             [f"acsi {'sample-size' if legacy else 'sampling size'} --margin 0.05",
              f"acsi {'sample-size' if legacy else 'sampling size'} --margin 0.03 --p 0.3 --population 20000",
              f"acsi {'sample-size' if legacy else 'sampling size'} --margin 2 --sd 20"], _size)
    p.add_argument("--margin", type=float, required=True, help="margin of error (0.05 = +-5 points for a proportion)")
    p.add_argument("--p", type=float, default=0.5, help="anticipated proportion (default 0.5)")
    p.add_argument("--sd", type=float, default=None, help="anticipated standard deviation: size for a mean instead")
    p.add_argument("--confidence", type=float, default=0.95)
    p.add_argument("--population", type=int, default=None, help="population size N (finite-population correction)")
    add_tail(p, weight=False, confidence=False)


def register(sub) -> None:
    """Add ``acsi sampling ...`` and ``acsi sample-size``."""
    g = group(sub, "sampling", "sampling design: size, allocate, margin, draw",
              "Sampling design (Cochran 1977): sample sizes, stratified allocation and its margin of error, and "
              "drawing a reproducible sample from a frame.", "sampling_method")
    register_size(g, "size", legacy=False)

    p = leaf(g, "allocate", "allocate a sample to strata (proportional or Neyman)",
             "Integers summing to --n by the largest-remainder rule; with --sd also the standard error and margin "
             "of the stratified mean.",
             ["acsi sampling allocate strata.csv --stratum region --size customers --n 400",
              "acsi sampling allocate strata.csv --stratum region --size customers --sd sd --n 400 --method neyman"],
             _allocate)
    add_file(p, "strata table: one row per stratum")
    p.add_argument("--stratum", metavar="COL", required=True, help="stratum name column")
    p.add_argument("--size", metavar="COL", required=True, help="population size N_h column")
    p.add_argument("--n", type=int, required=True, help="total sample size")
    p.add_argument("--method", choices=("proportional", "neyman"), default="proportional")
    p.add_argument("--sd", metavar="COL", default=None, help="stratum standard deviation column (Neyman; margin)")
    add_tail(p, weight=False)

    p = leaf(g, "margin", "standard error and margin of error of a stratified mean",
             "V = sum W_h^2 (1 - n_h/N_h) S_h^2 / n_h and the margin z sqrt(V) (Cochran eq. 5.6).",
             ["acsi sampling margin strata.csv --stratum region --size customers --sd sd --n-column n"], _margin)
    add_file(p, "strata table: one row per stratum")
    p.add_argument("--stratum", metavar="COL", required=True, help="stratum name column")
    p.add_argument("--size", metavar="COL", required=True, help="population size N_h column")
    p.add_argument("--sd", metavar="COL", required=True, help="stratum standard deviation column")
    p.add_argument("--n-column", metavar="COL", required=True, help="stratum sample size n_h column")
    p.add_argument("--no-fpc", action="store_true", help="no finite-population correction")
    add_tail(p, weight=False)

    p = leaf(g, "draw", "draw a simple random, systematic or stratified sample from a frame",
             "The sampled rows of the frame (every column plus frame_row); the same --seed draws the same rows.",
             ["acsi sampling draw customers.csv --n 400 --seed 7 --out sample/",
              "acsi sampling draw customers.csv --n 400 --design stratified --strata region --seed 7 --out sample/"],
             _draw)
    add_file(p, "sampling frame (customer list)")
    p.add_argument("--n", type=int, required=True, help="sample size")
    p.add_argument("--design", choices=("simple", "systematic", "stratified"), default="simple")
    p.add_argument("--strata", metavar="COL", default=None, help="stratum column (--design stratified)")
    p.add_argument("--allocation", choices=("proportional", "neyman"), default=None,
                   help="--design stratified: proportional (default) or neyman allocation")
    p.add_argument("--seed", type=int, required=True, help="random seed (required: a sample must be reproducible)")
    add_tail(p, weight=False, confidence=False)

    register_size(sub, "sample-size", legacy=True)
