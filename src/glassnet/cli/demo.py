"""``glassnet demo``: the article's network, trained exactly as the article trains it."""

from __future__ import annotations

import argparse

HELP = "train the article's network (3 exams → found a job) and ask it three questions"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--lang en|ja``."""
    parser.add_argument(
        "--lang",
        choices=("en", "ja"),
        default="en",
        help="ja prints the article's own words and labels",
    )


def run(args: argparse.Namespace) -> int:
    """Train, then print the cost, weights, bias and three predictions in the article's order."""
    import numpy as np

    from glassnet import article
    from glassnet.cli.common import print_json
    from glassnet.datasets import jobs
    from glassnet.metrics import predicted_classes

    data = jobs()
    net = article.trained_network()
    layer = net.layers[0]
    outputs = net.feedforward(np.array(article.QUESTIONS))
    found = predicted_classes(outputs)
    verdicts = article.VERDICTS[args.lang]
    names = data.feature_names
    target = data.target_name
    if args.lang == "ja":
        names = [data.names_ja[n] for n in names]
        target = data.names_ja[target]
    cost = net.cost(data.X, data.y)
    predictions = [
        {
            "input": [int(v) for v in question],
            "output": float(out),
            "found_job": bool(job),
            "verdict": verdicts[job],
        }
        for question, out, job in zip(article.QUESTIONS, outputs[:, 0], found, strict=True)
    ]
    if args.json:
        print_json(
            {
                "features": names,
                "target": target,
                "epochs": article.EPOCHS,
                "learning_rate": article.LEARNING_RATE,
                "cost": cost,
                "weights": layer.weights[:, 0],
                "bias": float(layer.bias[0]),
                "predictions": predictions,
            }
        )
        return 0
    if args.lang == "ja":
        print(f"入力: {', '.join(names)} → 出力: {target}")
        print(
            f"weight 0.5, bias 0.2, learning rate {article.LEARNING_RATE}, "
            f"epoch {article.EPOCHS} (勾配降下)"
        )
    else:
        print(f"inputs: {', '.join(names)} → output: {target}")
        print(
            f"weights 0.5, bias 0.2, learning rate {article.LEARNING_RATE}, "
            f"{article.EPOCHS} epochs of full-batch gradient descent"
        )
    print()
    meaning = (
        "学習後の重みでの ½·Σ(a − y)²"
        if args.lang == "ja"
        else "½·Σ(a − y)² with the trained weights"
    )
    print(f"Loss  : {cost:.8f}  ({meaning})")
    # every digit a float64 needs to come back bit for bit (16 dropped the last one: the
    # article's 3.4060369676610347 printed as 3.406036967661035)
    print(
        "weight:",
        "  ".join(f"{n}={float(w)!r}" for n, w in zip(names, layer.weights[:, 0], strict=True)),
    )
    print(f"bias  : {float(layer.bias[0])!r}")
    print()
    for p in predictions:
        print(f"{p['input']} {p['verdict']}  {p['output']!r}")
    return 0
