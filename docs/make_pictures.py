"""Draw the README's example pictures into docs/: python docs/make_pictures.py

Every picture comes from the library itself (``glassnet.plot``), with fixed seeds, so
running this again gives the same pictures. Needs the plot extra:
pip install 'glassnet[plot]'.
"""

from __future__ import annotations

from pathlib import Path

from glassnet import Adam, Dense, Network, article, plot
from glassnet.datasets import jobs, moons

HERE = Path(__file__).resolve().parent


def moons_network() -> Network:
    """Two features → 8 tanh neurons → one sigmoid output, named like a trained CSV model."""
    net = Network(
        [Dense(2, 8, activation="tanh"), Dense(8, 1, activation="sigmoid")],
        cost="binary_crossentropy",
        seed=0,
    )
    net.metadata.update(feature_names=["x1", "x2"], target_name="moon", classes=["upper", "lower"])
    return net


def main() -> None:
    data = moons(200, noise=0.15, seed=0)

    net = moons_network()
    net.fit(data.X, data.y, epochs=300, optimizer=Adam(0.02), validation_split=0.2)
    plot.plot_loss(net, out=HERE / "loss.png")
    plot.plot_network(net, out=HERE / "network.png")
    plot.plot_boundary(net, data.X, data.y, out=HERE / "boundary.png")

    # the article's network after its 5000 epochs, with the table's column names
    trained = article.trained_network()
    table = jobs()
    trained.metadata.update(
        feature_names=table.feature_names, target_name=table.target_name, classes=[0, 1]
    )
    plot.plot_network(trained, title="the article's network, trained", out=HERE / "article.png")

    plot.plot_training(
        moons_network(),
        data.X,
        data.y,
        epochs=300,
        every=25,
        optimizer=Adam(0.02),
        out=HERE / "training.gif",
    )
    plot.plot_training(
        moons_network(),
        data.X,
        data.y,
        epochs=300,
        every=50,
        optimizer=Adam(0.02),
        out=HERE / "training.png",
    )


if __name__ == "__main__":
    main()
