"""Methodology: every formula, threshold, source coverage and caveat, and how to cite the tool."""

import streamlit as st

from risk import DATA_DIR
from risk.dataset import validation_report
from risk.fields import glossary
from risk.vocab import BAND_SETS, DEFAULT_BANDS
from ui.common import dataset
from ui.deeplink import ensure_navigation

ensure_navigation()

ds = dataset()
ROOT = DATA_DIR.parent
wgi_year = int(ds.wgi["year"].max()) if len(ds.wgi) else "n/a"
bands_text = "; ".join(BAND_SETS[k].describe() for k in [DEFAULT_BANDS, *(k for k in BAND_SETS if k != DEFAULT_BANDS)])
st.title("Methodology")

st.markdown(
    f"""
### Shares and concentration
A country's **share** is its value divided by the **sum of the country rows, "Other countries" included**,
so shares add up to 100%. USGS world totals are rounded (usually to two significant figures); where the
sum of rows and the published total differ by more than that rounding, the validation report says so.

- **Top-1 and top-3 share (CR1, CR3)** and the top country are taken over named countries.
- **Herfindahl-Hirschman index (HHI)** $= \\sum_c (100 \\, s_c)^2$ over named countries, 0 to 10,000.
  "Other countries" is left out, which makes the HHI a **lower bound**. Bands (the default first, the
  other selectable on the Overview and with `--bands 2010`): {bands_text}.
- **Governance-weighted HHI** (EU critical raw materials method): $\\text{{HHI}}_{{WGI}} = \\sum_c s_c^2 \\, W_c$
  with $W_c = 5 - 2 \\times$ the mean of the six World Bank WGI estimates, so 0 is the best governance
  and 10 the worst; the result lies between 0 and 10. WGI year used: **{wgi_year}** (2023 update). New
  Caledonia takes France's score.
- **Reserves-to-production** = world reserves ÷ world production in the reserves year; a ">" reserves total
  gives a lower-bound ratio.
- A series that cannot be computed (no country rows, all values withheld, a zero total, mixed units) is
  shown as **not computable** with the reason, never as 0.

### U.S. dependency
- **Net import reliance (NIR)** is USGS's: net imports as a percent of apparent consumption. ">95" is kept as
  a lower bound; "E" (net exporter) is reliance 0.
- **Single-supplier dependency** on country X $= \\text{{NIR}} \\times p_X$, where $p_X$ is X's share of U.S.
  imports (USGS, 2021–24 average). The largest is the headline.

### Scenarios (model v2: the consumer's volumes)
The accounting is centred on the **consumer** M (the United States by default; any importer in the trade data)
and done in M's physical units. Every scenario is a set of changes to one baseline,
`data/scenarios/baseline.yaml` (the status quo on a stated date: each mineral's choke-point stage with its reason,
sourced accessibility, the default enforcement on re-exports, the caps on deals), so the same shock gives the same
loss wherever it appears.

- **Baseline per mineral**: consumption C (USGS salient statistics, apparent, reported or estimated, named), net
  import reliance NIR, net imports N = NIR × C, import sources s_X (USGS; BACI where USGS has none), and the
  look-through content c_X of each source (the origin's material in what X supplies, from bilateral trade: see the
  trade section below). World supply is the output at the **choke-point stage** (IEA magnet rare-earth refining,
  IEA battery-grade graphite, IEA refining for lithium, cobalt, nickel, copper; USGS primary gallium; USGS
  refinery or smelter where published, else mine); every result names its stage and the lab can switch it.
- **Restriction by origin O, fraction f, to the consumer**: loss = NIR × f × (s_O + p × Σ over X ≠ O of s_X × c_X),
  with p the enforcement on re-exports (default from the baseline, with its source). With p = 1 and c_X = 1 the loss
  is f × NIR. The rest of the world still buys from O; the replacement multiple is M's loss ÷ the supply outside O
  and M.
- **Restriction to all destinations**: world supply loses f × O's output (and O-origin feed in third countries'
  output as above); in a **pooled** market (default) every buyer loses the same share of its consumption; the
  **bilateral** option counts only M's imports from O and through third countries.
- **Overlapping restrictions combine, they never add**: two restrictions on the same flow (origin O's direct
  exports to M, its content in third countries' supply, its output on the world market) leave
  (1 − f₁)(1 − f₂) of it, so two full bans are one ban and two half-bans stop 75%. A pooled world loss σ falls
  only on what M still gets after its own losses L_M: shortfall = L_M + (1 − L_M) × σ. Gallium on 2025-06-01
  (ban to the U.S. and licensing to all): 0.18 + 0.82 × 0.495 = **58.6%**, not 18% + 49.5% = 67.5%.
- **Measures that name part of an aggregate** (MOFCOM No. 18 of 2025 names seven rare earths) apply to the named
  elements in full and to the aggregate only on their share of its flow, from U.S. import volumes where USGS
  publishes them (the seven: 6.4% of U.S. rare-earth imports in 2024, 1.8% in 2025; 6% used, range 1.5–15%),
  stated on the measure in data/events.yaml.
- **Offsets, in M's units and bounded**: a deal with partner P never delivers more than P's output × (1 + e), with e
  at most the baseline's cap, ramped over months, minus what P already sells M; deal offset = min(deal volume, loss)
  ÷ loss. Spare capacity elsewhere is ramped and bounded; recycling, stockpile months and demand change as before.
  The shortfall is in tonnes and as a share of baseline consumption, capped at 100%; demand growth beyond supply
  is its own line.
- **No silent zeros**: every output is a number or a reason ("not computable: no world production series for
  germanium in USGS MCS 2026").
- **Ranges**: each headline is (low, central, high) from the NIR bounds (">50" gives 50–100%), withheld rows,
  rounding of totals, the look-through range (c_X from 0 to min(1, I_X,O ÷ E_X)) and the two USGS editions where
  they differ by more than 5 points; a Monte Carlo over the parameters marked uncertain gives p10/p50/p90 bands on
  the time path.

**Worked examples** (unit tests with the arithmetic in their comments):
- Gallium, ban to the U.S., f = 1, p = 0: NIR 1.00 × China's 18% of U.S. imports = **18%** of consumption, about
  3,420 kg of 19,000 kg a year; the replacement multiple is 3,420 ÷ the ~9,000 kg produced outside China ≈ **0.38**.
- Antimony, ban to the U.S., f = 1, p = 1, third-country content 1: the shortfall equals NIR, **0.91**.
- Rare earths, ban to all destinations, f = 1, at the refining stage, pooled: the shortfall before offsets is
  China's share of magnet rare-earth refining, **91.3%** (IEA 2024).
- Export controls in force on a date (Scenario lab, "Controls in force on a date"): licences are partial
  restrictions at the default fraction of data/events.yaml (an assumption, 0.5, shown with its range), bans are 1.

Caveats: prices, substitution and demand response are not modelled; an aggregate's coverage is by volume, and a
few tonnes of dysprosium or terbium matter far more to magnet makers than their volume says (see those minerals'
own results).

### Sources and what they cover
- **USGS Mineral Commodity Summaries 2026** (doi:10.5066/P1WKQ63T): world mine, refinery, primary and smelter
  production for 90 commodities (2024 and 2025, 2025 mostly estimated), reserves (2025), U.S. net import
  reliance 2021–2025 and import sources 2021–24. **No refining stage for battery minerals** (cobalt, lithium,
  nickel, graphite, rare earths); germanium world production is withheld.
- **USGS MCS 2025** (doi:10.5066/P13XCP3R): the previous edition's world table (2023, 2024), to show revisions.
- **IEA Critical Minerals Dataset, May 2025** (CC BY 4.0): mining and refining by country for **six minerals only**
  (copper, cobalt, lithium, nickel, graphite, magnet rare earths), observed 2024; 2030–2040 are base-case
  projections, labelled as such and never mixed with observed years.
- **World Bank WGI, 2023 update** (CC BY 4.0): latest year **2022**.

### Known caveats
Rounded world totals; withheld values (W) are left out of shares and counted; "Other countries" is not a country;
2025 values are USGS estimates; rare earths are rare-earth-oxide equivalent (not individual elements); some producer
figures are USGS estimates from Chinese import data; the lithium world total excludes U.S. production (withheld).

### How to cite
Critical-minerals supply-risk dashboard, version 0.1 (2026), with data from USGS MCS 2026 and 2025, the IEA Critical
Minerals Dataset (May 2025, CC BY 4.0) and World Bank WGI (2023, CC BY 4.0). Cite the underlying sources for every figure.
"""
)
st.subheader("Trade: any importer's sourcing, and an origin's share through third countries")
# one text, kept with the code that computes it (docs/trade_method.md), shown here whole
st.markdown((ROOT / "docs" / "trade_method.md").read_text(encoding="utf-8").split("\n", 1)[1])

st.subheader("Glossary")
st.caption("Every column the pages, exports and the command line show, from one table of field metadata (risk/fields.py).")
st.dataframe(glossary(), hide_index=True, width="stretch")

st.subheader("Validation report")
st.code(validation_report(ds), language=None)
