"""XOR needs a hidden layer: the article's flat network cannot learn it; one hidden layer can.

Exclusive or is 1 when exactly one input is 1.  A network without a hidden layer draws one
straight line through the input plane, and no straight line puts (0, 1) and (1, 0) on one
side and (0, 0) and (1, 1) on the other: its cost stays at ln 2 = 0.693 and it answers the
same for every input.  Four tanh neurons in a hidden layer bend the boundary and solve it.

Run: python examples/02_xor_needs_a_hidden_layer.py
"""

import numpy as np

from glassnet import Adam, Dense, Network
from glassnet.datasets import xor
from glassnet.glassbox import explain, gradcheck

X, y = xor()
EPOCHS = 1000


def report(name: str, net: Network) -> None:
    outputs = net.feedforward(X)[:, 0]
    accuracy = float(np.mean(net.predict(X) == y[:, 0]))
    print(f"{name}")
    print(f"  cost after {EPOCHS} epochs: {net.cost(X, y):.6f}")
    for row, out in zip(X, outputs, strict=True):
        print(f"  {row.astype(int)} → {out:.4f}")
    print(f"  accuracy: {accuracy:.2f}")


# the article's shape: 2 inputs straight to one sigmoid output
flat = Network([Dense(2, 1, activation="sigmoid")], cost="binary_crossentropy", seed=0)
flat.fit(X, y, epochs=EPOCHS, optimizer=Adam(learning_rate=0.05))
report("no hidden layer: Dense(2, 1, sigmoid)", flat)

print()
# one hidden layer of 4 tanh neurons
deep = Network(
    [Dense(2, 4, activation="tanh"), Dense(4, 1, activation="sigmoid")],
    cost="binary_crossentropy",
    seed=0,
)
deep.fit(X, y, epochs=EPOCHS, optimizer=Adam(learning_rate=0.05))
report("hidden layer: Dense(2, 4, tanh) → Dense(4, 1, sigmoid)", deep)

# backpropagation through the hidden layer is right: it agrees with central differences
check = gradcheck(deep, X, y)
print(
    f"  gradcheck: max relative error {check.max_relative_error:.2e} "
    f"({'passed' if check.passed else 'FAILED'})"
)

# how the hidden layer sees (0, 1): four new features the output neuron can separate
path = explain(deep, [0, 1], classes=["0", "1"])
hidden = [round(neuron.a, 4) for neuron in path.layers[0].neurons]
print(f"  hidden activations for [0 1]: {hidden} → output {path.outputs[0]:.4f}")
