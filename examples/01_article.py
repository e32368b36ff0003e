"""The article, step by step, with glassnet: weight, bias, feedforward, cost, backpropagation.

The seed article (ニューラルネットワークの基礎知識 - 1) builds a network with three inputs
(math, english, physics: passed 1 or failed 0) and one sigmoid output (found a job), starts
every weight at 0.5 and the bias at 0.2, and trains 5000 epochs of gradient descent at
learning rate 0.1.  This script does the same, printing every number the article computes.

Run: python examples/01_article.py
"""

import numpy as np

from glassnet import Dense, GradientDescent, Network, article
from glassnet.datasets import jobs
from glassnet.glassbox import explain, trace

np.set_printoptions(precision=10, suppress=True)

# ----- the training data: inputs (4 students × 3 exams) and outputs (job found) ---------
data = jobs()
inputs, outputs = data.X, data.y
print("inputs (math, english, physics):")
print(inputs)
print("outputs (job):", outputs.ravel())

# ----- the parameters: weights 0.5, bias 0.2, learning rate 0.1, 5000 epochs ---------------
net = Network([Dense(3, 1, activation="sigmoid", weights=0.5, bias=0.2)], cost="sse")
print()
print(net)
print("weights:", net.layers[0].weights.ravel(), " bias:", net.layers[0].bias)

# ----- one epoch, every number: feedforward, error, backpropagation, gradient descent -------
step = trace(net, inputs, outputs, steps=[1], optimizer=GradientDescent(0.1))[1]
layer = step.layers[0]
print()
print("epoch 1")
print("  prediction      = inputs · weights + bias      :", layer.z.ravel())
print("  activated_val   = sigmoid(prediction)          :", layer.a.ravel())
print("  error           = activated_val − outputs      :", layer.error.ravel())
print("  cost            = ½·Σ error²                   :", step.cost)
print("  sigmoid_der × error (delta)                    :", layer.delta.ravel())
print("  der_cost_w      = inputs.T · delta             :", layer.grad_weights.ravel())
print("  der_cost_b      = Σ delta                      :", layer.grad_bias)
print("  weights −= 0.1 × der_cost_w                    :", layer.weights.ravel())
print("  bias    −= 0.1 × der_cost_b                    :", layer.bias)

# ----- the whole training: 5000 epochs, full batch, as the article's loop -------------------
history = net.fit(inputs, outputs, epochs=article.EPOCHS, optimizer=GradientDescent(0.1))
print()
print(f"after {article.EPOCHS} epochs")
print(f"Loss  : {history.cost[-1]:.8f}  (cost of the last epoch, before its update)")
print("weight:", net.layers[0].weights.ravel())
print("bias  :", float(net.layers[0].bias[0]))

# ----- the article's three questions ----------------------------------------------------
print()
for question in article.QUESTIONS:
    out = float(net.feedforward(np.array([question]))[0, 0])
    verdict_en = article.VERDICTS["en"][int(out >= 0.5)]
    verdict_ja = article.VERDICTS["ja"][int(out >= 0.5)]
    print(question, f"{out:.10f}", verdict_ja, f"({verdict_en})")

# ----- why the first student-who-passed-everything finds a job: the terms of z ---------------
path = explain(net, [1, 1, 1], feature_names=data.feature_names, classes=article.VERDICTS["en"])
neuron = path.layers[0].neurons[0]
print()
print("explain [1, 1, 1]")
for term in neuron.terms:
    print(f"  {term.input:8s} {term.weight:+.6f} · {term.x:g} = {term.product:+.6f}")
print(f"  bias     {neuron.bias:+.6f}")
print(f"  z = {neuron.z:.6f}, a = sigmoid(z) = {neuron.a:.6f} → {path.verdict}")
