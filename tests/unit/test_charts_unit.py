"""Chart helpers that need no data: label placement."""


def test_place_labels_keeps_close_labels_apart():
    # Fluorspar (HHI 3,880, NIR 100%) and Arsenic (4,090, 100%) sit 210 HHI apart: at 1,000 px for
    # 10,300 HHI that is 20 px, less than either label's width, so "top center" for both overlaps.
    from risk.charts import place_labels

    pos = place_labels([3880, 4090], [1.0, 1.0], [30, 30], ["Fluorspar", "Arsenic"], x_range=(0, 10300), y_range=(-0.05, 1.1))
    assert pos[0] != pos[1]
    # a lone point keeps the default
    assert place_labels([5000], [0.5], [20], ["Nickel"], x_range=(0, 10300), y_range=(-0.05, 1.1)) == ["top center"]
