"""The report's words in English (keys shared with zh.py)."""

STRINGS = {
    # the report around the studies
    "report.title": "gradstep reproduce: the first chapter of deep learning on real data",
    "report.data": "data: {source}; {split}",
    "report.builtin": "daily English Wikipedia views of `{page}` (built in)",
    "report.csv": "your series {csv} (column {column})",
    "report.csv_column": "found from the file",
    "report.units": ("MAE in thousands of views (k), mean ± std over seeds; the lecture's numbers are for its YouTube "
                     "channel, so compare the patterns, not the digits"),
    "report.studies": "studies: `{studies}`; seeds: {seeds}{quick}",
    "report.quick": "; quick mode",
    "report.wall": "wall time: {seconds} s with {workers} worker process(es)",
    "report.wall_scheduler": "wall time: {seconds} s on the Dask cluster of the scheduler {scheduler}",
    "report.machine": "machine: `{machine}`",
    "report.command": "command: `{command}`",
    "report.figure_font": ("figure labels are in English: no Chinese font was found (on Debian: apt-get install "
                           "fonts-noto-cjk)"),
    "report.contents": "Contents",
    "report.idea": "The idea",
    "report.formula": "The formula",
    "report.results": "What we measured",
    "report.finding": "What it shows",
    "report.claim": "{verdict}: {claim}",
    "report.try": "Try next",
    "report.holds": "✓ holds",
    "report.fails": "✗ FAILS",
    "report.figure": "figure",
    "report.done": "{name}: done at {seconds} s ({jobs} job(s))",
    "report.round": "{name}: round {round} done at {seconds} s ({jobs} job(s) so far); next round: {more} job(s)",
    "report.running": "running — studies: {studies}, jobs: {jobs}, seeds: {seeds}, workers: {workers}{quick}",
    "report.running_scheduler": ("running — studies: {studies}, jobs: {jobs}, seeds: {seeds}, Dask scheduler: "
                                 "{scheduler}{quick}"),
    "report.running_quick": " (quick)",
    "report.wrote": "wrote {md} and {html} in {seconds} s",
    "report.failed": "; {failed} claim(s) FAILED",
    "report.kept": "kept from the earlier run in this directory: {studies}",
    # words the studies share
    "common.lecture_split": "train {train}, test {test} as in the lecture{year}",
    "common.year_test": ", and the whole of 2021 as a second test",
    "common.own_split": ("the series spans {span}, not the lecture's 2017–2021, so its own last 45 days are the test "
                         "days and every earlier day trains (no whole-year test)"),
    "common.falls": "falls at every step",
    "common.rises": "rises at every step",
    "common.lowest": "lowest with {label}",
    "common.within_spread": "; all within the spread over seeds",
    "common.the_lecture": "; the lecture: {path}",
    "common.goes": "goes {path}k ({trend}{lecture})",
    "common.errors_table": "L (train) and L′ (test), MAE in k views, mean ± std over seeds",
    "col.train": "L train",
    "col.test": "L′ test",
    "col.test45": "L′ test (45 days)",
    "col.year": "test 2021 (year)",
    "col.lecture_train": "lecture L",
    "col.lecture_test": "lecture L′",
    # gradient descent
    "gradient-descent.title": "Gradient descent on the 1-day model y = b + w x1",
    "gradient-descent.idea": (
        "Training is finding the w and b that make the loss L(w, b) small. Gradient descent starts from a guess, "
        "computes the slope of L at that point, and takes a step downhill whose size is the slope times the "
        "learning rate η — a hyperparameter we choose. Too small a rate crawls; too large a rate jumps over the "
        "valley and climbs out of it. For this model the best w and b can also be computed directly (least "
        "squares), so we can see whether descent gets there."),
    "gradient-descent.table": "where each learning rate ends (MSE in k views², b in k views)",
    "gradient-descent.col.lr": "learning rate η",
    "gradient-descent.col.steps": "steps",
    "gradient-descent.col.loss": "final L (k²)",
    "gradient-descent.col.done": "reached the optimum?",
    "gradient-descent.rate.too small": "too small",
    "gradient-descent.rate.good": "good",
    "gradient-descent.rate.too large": "too large",
    "gradient-descent.verdict.yes": "yes",
    "gradient-descent.verdict.diverged": "diverged",
    "gradient-descent.verdict.not yet": "not yet",
    "gradient-descent.row.least_squares": "closed form (least squares)",
    "gradient-descent.row.book": "the book's w*, b*",
    "gradient-descent.finding": (
        "With a good learning rate gradient descent reaches the least-squares optimum w* = {w}, b* = {b}k (the "
        "book's channel: 0.97, 0.1k); too small a rate is still far away after the same steps, too large a rate "
        "overshoots and its loss grows."),
    "gradient-descent.claim": ("gradient descent (η = {lr}) reaches the closed form: w and b within {gap} of least "
                               "squares (standardised units)"),
    "gradient-descent.figure": ("the error surface L(w, b) with the path of each learning rate, steps numbered, and "
                                "the loss against the step, all in k views²"),
    "gradient-descent.try.1": "the good rate: the loss falls to the least-squares value and stays there",
    "gradient-descent.try.2": ("the rate of 1.02: training stops with a message that the loss grew — each step lands "
                               "further on the other side of the valley"),
    "gradient-descent.try.3": "the small rate: after the same 200 epochs its training MSE (the MSE column) is still above the good rate's — it has not arrived yet",
    # linear models
    "linear.title": "Linear models on 1, 7, 28 and 56 days",
    "linear.idea": (
        "The first guess at a model: tomorrow's views are a weighted sum of the last k days plus a bias, "
        "y = b + Σ wj xj. Each weight says how much one past day counts. Reading more days (k = 1, 7, 28, 56) gives "
        "the model more to go on, and the training error L falls; whether the error L′ on unseen days falls too is "
        "the real question. However the weights are set, a linear model can only draw straight lines and planes: "
        "that limit is model bias, and the next studies remove it."),
    "linear.col.days": "days k",
    "linear.weights": "the 7-day model's weights (seed 0) beside the book's Table 1.1; b in k views",
    "linear.book": "book",
    "linear.plot_title": "56-day linear model on the test days: MAE {mae}k",
    "linear.label": "{days} days",
    "linear.finding": "Over 1, 7, 28 and 56 days the test error L′ {test} and the training error L {train}. The 7-day model leans most on {heaviest}.",
    "linear.weight1": "w{j} = {w} ({j} day before)",
    "linear.weight": "w{j} = {w} ({j} days before)",
    "linear.and": " and ",
    "linear.figure": "56-day linear model: predicted vs true views on the test days",
    "linear.try.1": "the 7-day model alone: its weights in `model.npz` against the book's Table 1.1 (w1 ≈ 0.79, w7 ≈ 0.18)",
    "linear.try.2": "the same model trained on the MSE instead of the lecture's MAE: compare the test MAE it prints",
    "linear.try.3": "the same 56 days read by 100 ReLUs instead of a weighted sum: does the test error fall below the linear model's?",
    # piecewise linear curves
    "piecewise.title": "Piecewise linear curves as a constant plus hard sigmoids",
    "piecewise.idea": (
        "To escape model bias we need a more flexible family of curves. Any piecewise linear curve is a constant "
        "plus a sum of hard sigmoids: each hard sigmoid is flat, then rises by ci, then is flat again, and adds one "
        "bend. More pieces follow the curve more closely, and a continuous curve can be approximated as closely as "
        "we like. A hard sigmoid is two ReLUs; a sigmoid c / (1 + e^−(b + w x)) is its smooth version, and a larger w "
        "makes it steeper. Below, the curve is this page's average year."),
    "piecewise.pieces": "MAE between the curve and constant + n hard sigmoids (k views)",
    "piecewise.col.n": "hard sigmoids n",
    "piecewise.sharp": "σ(w z) against the hard sigmoid of the same slope at 0, clip(w z / 4 + 1/2, 0, 1)",
    "piecewise.row.area": "area ∫|σ − hard| dz",
    "piecewise.row.max": "max |σ − hard|",
    "piecewise.falls": "falls",
    "piecewise.not_always": "does not always fall",
    "piecewise.finding": (
        "The yearly curve of this page is approximated by a constant plus n hard sigmoids with an error that {falls} "
        "as pieces are added: {first}k with 1, {last}k with {most}. With {n} pieces the hard sigmoids miss it by "
        "{hard}k and the same pieces made of sigmoids by {sigmoid}k. A sigmoid with larger w hugs a steeper hard "
        "sigmoid: the area between them goes {area_first} → {area_last} from w = {w_first} to {w_last} (as 1/w), while "
        "the largest gap stays {gap}."),
    "piecewise.claim.relu": "hard_sigmoid(z) = relu(z) − relu(z − 1): largest difference {gap} views",
    "piecewise.claim.knots": ("constant + Σ hard sigmoids is the piecewise linear curve through the knots: largest "
                              "difference {gap} views"),
    "piecewise.figure": ("the constant and {n} hard sigmoids that add up to the curve, the same with sigmoids, the error "
                         "against the number of pieces, and sigmoids of growing w against a hard sigmoid"),
    "piecewise.try.1": "3 sigmoids on yesterday's views: a curve with three bends; compare its test MAE with the linear 1-day model's",
    "piecewise.try.2": "30 sigmoids: more pieces fit the training days more closely — does the test error follow?",
    "piecewise.try.3": "the Christmas page: a year with one sharp peak — how many pieces does it take?",
    # units
    "units.title": "One layer of 10, 100 and 1000 sigmoids or ReLUs on 56 days",
    "units.idea": (
        "Put the pieces together and read all k days at once: y = b + Σi ci σ(bi + Σj wij xj), in matrices "
        "y = b + cᵀσ(b + W x). Each of the units (neurons) is one sigmoid — or one ReLU, max(0, z), of which two make a "
        "hard sigmoid — and more units give more pieces, so the network can draw more complicated functions. W, b, "
        "c and b together are the parameters θ that training finds. Does adding units keep helping on days the "
        "model has not seen?"),
    "units.col.units": "units",
    "units.col.activation": "activation",
    "units.label": "{units} units",
    "units.finding": ("With 10, 100 and 1000 ReLUs the training error L {relu_train} and the test error L′ {relu_test}. "
                      "With sigmoids L {sigmoid_train} and L′ {sigmoid_test}."),
    "units.figure": "training and test error against the number of units, sigmoids and ReLUs, with the lecture's ReLU numbers",
    "units.try.1": "10 ReLUs: few pieces — compare its training error with the 1000-unit model's",
    "units.try.2": "1000 ReLUs: many pieces; the training error falls, watch whether the test error does",
    "units.try.3": "sigmoids with a larger learning rate: do they catch up with the ReLUs in the same epochs?",
    # depth
    "depth.title": "Deeper: 1 to 4 layers of 100 ReLUs",
    "depth.idea": (
        "Instead of more units side by side, stack them: the outputs a of one layer of ReLUs are the inputs of the "
        "next. That is deep learning — many hidden layers. Each layer can bend what the layer before produced, and "
        "the training error keeps falling with depth. But a model that fits the training days better is not always "
        "better on unseen days: when L falls while L′ rises, that is overfitting. We choose the depth on validation "
        "days held out from training — never on the test days."),
    "depth.table": ("L (train), L valid (the last {valid} training days, held out) and L′ (test), MAE in k views, mean "
                    "± std over seeds"),
    "depth.col.layers": "layers",
    "depth.col.valid": "L valid",
    "depth.label.1": "1 layer",
    "depth.label": "{layers} layers",
    "depth.plot_title": "layers of 100 ReLUs chosen on validation: {layers}; on the test days MAE {mae}k",
    "depth.finding": ("With 1 to 4 layers of 100 ReLUs the training error L {train} and the test error L′ {test}. The "
                      "validation days choose {chosen}. {verdict}"),
    "depth.verdict.overfits": ("Beyond {best} more depth fits the training days better but the test days worse: "
                               "overfitting, as the lecture's 4 layers show."),
    "depth.verdict.harder": ("Beyond {best} more depth is worse on the test days, and no better on the training days: "
                             "the deeper networks are harder to train here."),
    "depth.verdict.spread": ("The test error is lowest with {best}, but the deepest model is within the spread over "
                             "seeds of it, so these runs do not show the lecture's overfitting at 4 layers clearly."),
    "depth.verdict.deepest": "Here the deepest model is also the best on the test days: no overfitting shows at 4 layers.",
    "depth.figure": "training and test error against the number of layers, ours and the lecture's",
    "depth.curves": ("training curves (seed 0): training and validation MAE against the epoch for each depth; the "
                     "marker is the epoch with the lowest validation error"),
    "depth.test_figure": "the depth chosen on validation ({layers}): predicted vs true views on the test days",
    "depth.try.1": "4 layers with 45 validation days: in `history.csv`, watch `valid_mae` turn up while `train_mae` keeps falling",
    "depth.try.2": "the same with early stopping (`--patience 10`): training stops near the lowest validation error and keeps those weights",
    "depth.try.3": "the same with dropout 0.2 after each layer: does the gap between train and valid shrink?",
    # activation functions
    "activation.title": "Activation functions: what depth without them cannot do",
    "activation.idea": (
        "Why put a sigmoid or a ReLU between the layers at all? Without them, each layer is a linear function of the "
        "one before, and a linear function of a linear function is linear: three layers collapse into one, y = W x + "
        "b, however deep. The activation function is what lets each layer bend. Below, both networks have the same "
        "three layers and are fitted to the page's yearly curve."),
    "activation.table": "fitting the yearly curve (views against day of the year): MAE in k views, mean ± std over seeds",
    "activation.col.model": "model",
    "activation.col.mae": "MAE on the curve",
    "activation.forecast": "3 layers of 100 without activation on the forecasting task (56 days), MAE in k views",
    "activation.finding": (
        "Stacking linear layers adds nothing: the 3-layer network without activations is exactly one linear model "
        "(largest difference {gap}) and fits the yearly curve no better than a straight line ({deep}k vs {line}k); "
        "with ReLUs the same depth {relu}"),
    "activation.follows": "follows the curve ({mae}k).",
    "activation.somewhat": "fits it only somewhat better ({mae}k).",
    "activation.claim": ("the network without activations equals its collapsed linear model W = W3 W2 W1: largest "
                         "difference {gap} (standardised units)"),
    "activation.figure": ("the yearly curve fitted by a line, by 3 linear layers (the same line: they coincide) and by 3 "
                          "layers of ReLUs"),
    "activation.try.1": "3 layers of 32 ReLUs on yesterday's views: compare its test error with the straight line's",
    "activation.try.2": "the straight line y = b + w x1 on the same day, for comparison",
    "activation.try.3": "the Christmas page, whose year has one sharp peak: how close do the ReLUs get?",
    # batch size
    "batch-size.title": "Batch size: full batch, stochastic and mini-batches",
    "batch-size.idea": (
        "In practice the gradient is not computed on all N training rows at once. The data are split into batches "
        "of B rows; each batch gives one gradient g and one update of θ, and one pass over all batches is an epoch. "
        "Full batch (B = N) makes one careful update per epoch, stochastic descent (B = 1) makes N noisy ones, and "
        "mini-batches sit between. B is a hyperparameter: it trades the number of updates against the time and "
        "memory each costs."),
    "batch-size.table": ("relu, 1 layer of {units}, {days} days, Adam lr 0.001; the same budget for every B: {epochs} "
                         "epochs, each training day seen {epochs} times; MAE in k views"),
    "batch-size.col.batch": "batch size B",
    "batch-size.col.updates": "updates per epoch",
    "batch-size.col.seconds": "seconds per epoch",
    "batch-size.col.memory": "peak memory (MB)",
    "batch-size.col.noise": "path noise (%)",
    "batch-size.full": "full (N)",
    "batch-size.finding": (
        "Full batch makes 1 update per epoch and B = 1 makes {updates}: an epoch takes {full} s at full batch and {one} "
        "s at B = 1. In the same epochs the lowest training loss comes from B = {best} and the fastest epochs from "
        "B = {fastest}; full batch, with one update per epoch, ends at L = {loss}k. The path is noisiest at B = {noisiest}: "
        "from one epoch to the next its training loss changes by {most} % (standard deviation over the second half), "
        "against {full_noise} % at full batch, whose every step follows the whole gradient."),
    "batch-size.figure": "training loss against epochs, against updates and against seconds for each batch size",
    "batch-size.try.1": "B = 1: thousands of updates per epoch — compare the seconds per epoch with the default B = 32",
    "batch-size.try.2": "full batch: 5 epochs are only 5 updates — compare its training MAE with the default B = 32 after the same 5 epochs",
    "batch-size.try.3": "full batch with a 10× learning rate and more epochs: can fewer, larger steps catch up?",
}
