"""The glass box: every number of feedforward and backpropagation, as plain data.

- ``trace(net, X, y, steps=[1, 2])``: run training steps and keep, for each chosen step
  and each layer, the inputs, ``z = X·W + b``, ``a = activation(z)``, the cost, the error
  ``a − y``, delta, ``∂C/∂W``, ``∂C/∂b``, the update and the weights and bias after it;
- ``gradcheck(net, X, y)``: backpropagation's gradient against central differences, for
  every weight and bias;
- ``explain(net, x)``: one input's path through the network, term by term: ``w_i·x_i``,
  the bias, ``z``, the activation and the verdict.

Each returns a dataclass whose ``to_dict()`` gives lists and floats ready for JSON.
"""

from glassnet.glassbox.explain import Explanation, LayerPath, NeuronPath, explain
from glassnet.glassbox.gradcheck import GradcheckResult, LayerCheck, gradcheck
from glassnet.glassbox.trace import LayerStep, Step, Trace, trace

__all__ = [
    "Explanation",
    "GradcheckResult",
    "LayerCheck",
    "LayerPath",
    "LayerStep",
    "NeuronPath",
    "Step",
    "Trace",
    "explain",
    "gradcheck",
    "trace",
]
