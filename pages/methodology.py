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

### Scenarios
Each supplier country c has a volume $q_c$ (the series' country rows) and an accessibility $a_c \\in [0,1]$
for the United States (1 unless the baseline says otherwise, e.g. Russia under sanctions).

| shock | effect |
|---|---|
| export restriction (X, fraction f, destination, pass-through pt) | $a_X \\leftarrow a_X(1-f)$. U.S. shortfall before offsets: to the U.S. only, $\\text{{NIR}}\\, f\\,[p_X + pt\\,(1-p_X)\\,s_X]$ with $s_X$ X's share of world supply; to all destinations, $\\text{{NIR}}\\, f\\, a_X q_X / A_0$ |
| supply change (c, change) | $q_c \\leftarrow q_c(1+\\text{{change}})$ |
| access (c, value) | $a_c \\leftarrow$ value; below the baseline it costs $\\text{{NIR}}\\, p_c (1 - a_c/a_c^0)$ |
| spare capacity (r, ramp) | the accessible suppliers not restricted add $r$ times their output, ramping up linearly |
| stockpile (months), recycling (share), demand change | months of U.S. consumption in stock; extra secondary supply; change in consumption |

**Offsets.** Lost accessible volume $V = \\sum_c \\max(0, q_c a^0_c - q'_c a'_c)$; a deal's gain
$G = \\sum_{{c \\text{{ not restricted}}}} \\max(0, q'_c a'_c - q_c a^0_c)$; spare capacity $S(t)$. The fraction of the
loss replaced is $\\varphi(t) = \\min(1, (G + S(t))/V)$ — replacement reaches the United States in proportion to the
loss it bears. Monthly gap $= \\max(0, L(1+d)(1-\\varphi(t)) - \\text{{recycling}})$; the stockpile covers the gap
until it runs out. **Deal offset** $= \\min(1, G/V)$; **replacement multiple** $= V/R$, with $R$ the output of
the accessible suppliers not restricted.

Caveats: for a restriction to the U.S. only, offsets are computed as if the withheld volume had to be replaced in
the market, which understates how easily trade diversion covers a U.S.-only ban with little pass-through. Prices,
substitution and demand response are not modelled.

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
