"""The smallest comparable Streamlit app: one slider, one selectbox, one radio, one plotly chart
(the baseline for ui_latency: each kind of control is timed on it the same way as on the pages)."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

v = st.slider("pass through", 0.0, 1.0, 0.0, 0.05)
year = st.selectbox("Year", [2025, 2024, 2023, 2022])
kind = st.radio("Measure", ["shortfall", "loss", "gap"], horizontal=True)
x = np.arange(36)
fig = go.Figure(go.Scatter(x=x, y=0.18 + 0.82 * v * np.ones_like(x)))
fig.update_layout(title=f"{kind.capitalize()} {0.18 + 0.82 * v:.1%} in {year}")
st.plotly_chart(fig, theme=None)
