"""The glassnet playground: train a network in a browser page, every number from the engine.

``glassnet playground`` starts a local server (``server.py``, the standard library's
``http.server``) with one ``Session`` (``session.py``): a table, a network, its optimizer
and its history. The page (``static/``: plain HTML, SVG, canvas and JavaScript, no build
step, nothing fetched from elsewhere) only draws what the JSON API answers.

The JSON API
------------
Every call is under ``/api/`` and needs the run's token, as the query ``token=…`` or the
header ``X-Glassnet-Token``. Bodies are JSON objects (at most 64 KiB), except the uploads
(raw bytes, at most 2 MiB). An error is a 4xx answer ``{"error": "one line"}`` (403 bad
token or Host, 404 unknown call, 405 wrong method, 409 nothing to show yet, 411 chunked
body, 413 too large, 400 anything else wrong, 503 out of memory, 500 an internal error
whose details go to the terminal only). HEAD is answered as GET, without the body.

Every call's work is bounded (``session.MAX_WORK``, rows × parameters, with each
mini-batch's update counted; ``MAX_CELLS`` numbers per array in one pass): what would pass
the budget is refused with a 400 saying what to shrink, or done on a bounded sample that
the answer names (``n_rows`` of ``n_samples``).

==========================  ==========================================================
``GET  state``              the state (below)
``POST step {"n": 10}``     train n epochs (1 to the state's ``max_steps``, at most 10000;
                            an epoch is one step with full batches) with ``Network.fit``;
                            the state, plus ``stopped``: null, or why training stopped
                            (it diverged); 400 when one epoch is over budget (a
                            batch too big to hold, or too many batches)
``POST reset``              a fresh network from the same settings and seed, on the
                            table as chosen (not as a loaded model encoded it)
``POST configure {...}``    change settings and start afresh; keys: ``dataset`` (article,
                            xor, moons, circles, spiral, blobs, curve, upload),
                            ``hidden`` (list of neuron counts), ``activation``, ``cost``
                            (auto, sse, mse, binary_crossentropy, categorical_crossentropy),
                            ``optimizer`` (gd, sgd, adam), ``learning_rate``,
                            ``batch_size`` (null: full batch), ``l2``, ``initializer``
                            (auto, glorot, he, article: weights 0.5, bias 0.2), ``seed``.
                            A new dataset brings its preset but keeps the settings
                            the learner changed (the article's table brings the
                            article's network); ``notice`` says what it set and kept.
                            Hidden layers added to the article's network without an
                            ``initializer`` get ``auto`` (every weight 0.5 would keep
                            each hidden neuron a copy of the others); an
                            ``activation`` without hidden layers is noticed as unused.
``GET  trace?lang=ja``      the last epoch replayed by ``glassbox.trace``: its numbers
                            (``Trace.to_dict()``) and ``text``, exactly what
                            ``glassnet trace`` prints for that step; ``replays_exactly``
                            is false with mini-batches (the replay is one full-batch
                            step from the same weights) or when only the first
                            ``n_rows`` of ``n_samples`` rows are traced (at most 1000)
``POST gradcheck``          ``glassbox.gradcheck`` of the current network: at most 32
                            weights and 32 biases a layer, on the first ``n_rows``
                            rows the work budget allows
``GET  grid?size=50``       the network's outputs over the data's plane (2 features,
                            ``kind`` "plane") or line (1 feature, "curve"), with the points
                            (a big network gets fewer: the answer's ``size``)
``GET  neuron?layer=1&unit=0``  z, a and δ = ∂C/∂z of one neuron, first 1000 samples
``POST upload?target=COL``  a CSV file (the body), checked for columns and lines on its
                            raw text, read in memory by ``glassnet.table.read_table_bytes``
                            and ``Preprocessor``; it becomes the
                            dataset "upload" (rows without a target are left out)
``GET  save``               the network as a ``.safetensors`` model file (a download)
``POST load``               a model file (the body) as the current network
==========================  ==========================================================

The state: ``config`` (the settings), ``choices`` (the values each menu offers),
``max_steps`` (the most epochs one step call takes), ``dataset`` (name, task, features,
target, ``target_default`` (the last column, none named), classes, Japanese names,
n_samples; for an upload ``ignored``, [column, reason] pairs of the columns the network
does not see, and ``rows_without_target``), ``epoch``, ``cost`` (of the last epoch),
``score`` (its ``accuracy`` or ``r2``, null before a step), ``can_trace`` (a step ran
here: ``trace`` has one to show), ``cost_curve`` ([epoch, cost] pairs, thinned to about
400), ``layers`` (per layer: n_in, n_out, activation, weights (n_in × n_out), bias
(n_out), and after a step grad_weights, grad_bias, update_weights, update_bias of the
last epoch, else null), ``cost_function``, ``optimizer``, ``full_batch``; for the
article's table also ``table`` and ``questions`` (the article's three students: inputs,
probability, finds_job, verdict in en and ja).
"""
