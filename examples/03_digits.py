"""Handwritten digits: 8×8 images, 64 inputs → 32 relu → 10 softmax, held-out accuracy.

The same pieces as the article's network, at a larger size: 1797 images of the digits 0-9
from scikit-learn, each 64 pixel intensities (0-16, scaled to 0-1), a hidden layer of 32
relu neurons and a softmax output giving one probability per digit, trained with Adam on
mini-batches.  A quarter of the images are held out and scored only at the end.

Needs scikit-learn (pip install 'glassnet[sklearn]' or pip install scikit-learn).
Run: python examples/03_digits.py
"""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from glassnet import Adam, Dense, Network
from glassnet.glassbox import explain, gradcheck

images, labels = load_digits(return_X_y=True)
X = images / 16.0  # pixel intensities 0-16 → 0-1
Y = np.eye(10)[labels]  # one-hot: digit 3 → [0 0 0 1 0 0 0 0 0 0]
X_train, X_test, Y_train, Y_test = train_test_split(
    X, Y, test_size=0.25, random_state=0, stratify=labels
)

net = Network(
    [Dense(64, 32, activation="relu", weights="he"), Dense(32, 10, activation="softmax")],
    cost="categorical_crossentropy",
    seed=0,
)
print(net)
history = net.fit(
    X_train,
    Y_train,
    epochs=30,
    batch_size=32,
    optimizer=Adam(learning_rate=0.01),
    validation_data=(X_test, Y_test),
    metrics=["accuracy"],
)
print(
    f"epochs: {len(history)}, training cost {history.cost[-1]:.4f}, "
    f"held-out cost {history['val_cost'][-1]:.4f}"
)

test_accuracy = float(np.mean(net.predict(X_test) == Y_test.argmax(axis=1)))
print(f"training accuracy: {np.mean(net.predict(X_train) == Y_train.argmax(axis=1)):.4f}")
print(f"held-out accuracy: {test_accuracy:.4f} on {len(X_test)} images")

# backpropagation checked against central differences on 40 weights per layer
check = gradcheck(net, X_train[:200], Y_train[:200], max_per_layer=40)
print(
    f"gradcheck: max relative error {check.max_relative_error:.2e} "
    f"({'passed' if check.passed else 'FAILED'})"
)

# one held-out image: which hidden neurons push the output towards its answer
path = explain(net, X_test[0], classes=[str(d) for d in range(10)])
output = path.layers[-1].neurons[path.prediction or 0]
strongest = sorted(output.terms, key=lambda term: term.product, reverse=True)[:3]
print(
    f"first held-out image: true digit {Y_test[0].argmax()}, predicted {path.verdict} "
    f"with probability {max(path.outputs):.4f}"
)
print(
    "  strongest hidden neurons for that answer: "
    + ", ".join(f"{t.input} ({t.product:+.3f})" for t in strongest)
)
