"""The smallest comparable Streamlit app: one slider, one plotly chart (baseline for ui_latency)."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

v = st.slider("pass through", 0.0, 1.0, 0.0, 0.05)
x = np.arange(36)
fig = go.Figure(go.Scatter(x=x, y=0.18 + 0.82 * v * np.ones_like(x)))
fig.update_layout(title=f"Shortfall {0.18 + 0.82 * v:.1%}")
st.plotly_chart(fig, theme=None)
