"""The overfitting study's words in the report, in English and in Chinese (the same keys in both; the words
drawn in its figures are in figures.py).

The Chinese uses the book's terms: 过拟合, 训练 / 验证 / 测试, 回合, 早停, 丢弃法 (dropout), 正则化, 数据增强, 特征选择,
交叉验证, 集成, 超参数搜索.
"""

OVERFITTING = {
    "en": {
        "overfitting.title": "Overfitting, and every remedy of the chapter measured on it",
        "overfitting.idea": (
            "A model can fit its training days better and better while it gets worse on days it has not seen: "
            "it learns the noise of those days, not the pattern. This is overfitting. We make it happen on "
            "purpose — one year of training days, 4 layers of 128 ReLUs, 300 epochs, no early stopping — then try "
            "every remedy of the chapter on that one setting: penalties on the weights (L1, L2), dropout, early "
            "stopping, a smaller model, more data, noise on the inputs, data augmentation, feature selection, "
            "ensembles, cross-validation and a hyperparameter search. Each remedy's setting is chosen on the "
            "validation days only; then the chosen configuration is trained once per seed and scored once on the "
            "test days."),
        "overfitting.table": (
            "relu, {layers} layers of {units}, {epochs} epochs, Adam lr 0.001, B = 32; training days from {train}, "
            "the last {valid} of them for validation; test {test}. MAE in k views, mean ± std over seeds; a remedy "
            "helps or hurts when its test MAE moves by more than twice the larger spread over seeds"),
        "overfitting.col.remedy": "remedy",
        "overfitting.col.setting": "setting chosen on validation",
        "overfitting.col.valid": "L valid",
        "overfitting.col.gap": "L′ − L",
        "overfitting.col.seconds": "seconds",
        "overfitting.col.verdict": "on the test days",
        "overfitting.remedy.base": "none (the overfitting setting)",
        "overfitting.remedy.smaller": "a smaller model",
        "overfitting.remedy.l1": "L1 penalty λ Σ|w|",
        "overfitting.remedy.l2": "L2 penalty (weight decay)",
        "overfitting.remedy.dropout": "dropout",
        "overfitting.remedy.early": "early stopping (best weights restored)",
        "overfitting.remedy.noise": "noise on the inputs",
        "overfitting.remedy.augment": "data augmentation (scaled windows)",
        "overfitting.remedy.lags": "feature selection (past days by importance)",
        "overfitting.remedy.cv": "L2 chosen by time-series cross-validation",
        "overfitting.remedy.search": "hyperparameter search (Optuna TPE)",
        "overfitting.remedy.data": "more data",
        "overfitting.remedy.seeds": "ensemble of 5 seeds",
        "overfitting.remedy.kinds": "ensemble of kinds (relu, sigmoid, linear)",
        "overfitting.years": "{years} years of training days",
        "overfitting.helps": "helps",
        "overfitting.hurts": "hurts",
        "overfitting.same": "within the spread",
        "overfitting.one_seed": "one seed: no spread to judge by",
        "overfitting.finding": (
            "The setting overfits: {parameters} weights and biases learn from {rows} training days, enough to "
            "memorise them. The training error is L = {train}k while the validation error is {valid}k and "
            "the test error {test}k. Seed 0's validation error is lowest at epoch {best} ({best_valid}k) and "
            "ends at {last_valid}k after {epochs} epochs, while the training error keeps falling; early stopping "
            "restores the weights of epoch {restored}. Remedies that help here beyond the spread over seeds: "
            "{helped}; within the spread or worse: {others}. L1 drives {zero_l1} of the first layer's weights "
            "to near zero (|w| < 0.01), against {zero_base} without it. {cv}"),
        "overfitting.cv": (
            "Cross-validation on the same {days} days at the end of the training year ({first}..{last}): "
            "rolling-origin folds, each trained only on the days before it, estimate {rolling}k; a shuffled k-fold, "
            "each fold trained on every other day of the year, later ones included, estimates {shuffled}k, {lower} % "
            "less: an error no forecast of the days ahead can have."),
        "overfitting.cv_same": (
            "Cross-validation on the same {days} days at the end of the training year ({first}..{last}): "
            "rolling-origin folds estimate {rolling}k and a shuffled k-fold, trained on later days too, {shuffled}k: "
            "here the leak did not lower the estimate."),
        "overfitting.claim.gap": ("the validation error is more than twice the training error, and above it by more than "
                                  "4 spreads over seeds"),
        "overfitting.claim.turns": "seed 0's validation curve turns up: it ends above its lowest point",
        "overfitting.claim.hygiene": ("no candidate or search trial was scored on the test days; the test days were "
                                      "scored once for each of {finals} final runs"),
        "overfitting.figure.curves": ("training and validation MAE against the epoch: the overfitting setting (seed 0), "
                                      "and early stopping, which restores the best weights"),
        "overfitting.figure.capacity": ("error against capacity: training and validation MAE by the number of "
                                        "parameters (units and layers)"),
        "overfitting.figure.remedies": "every remedy side by side: test MAE (bars, ± std) and validation MAE (♦)",
        "overfitting.figure.data": "more data: the error against the years of training days",
        "overfitting.figure.days": ("which past days matter: their importance on validation, and the first layer's "
                                    "mean |w| per day with and without L1"),
        "overfitting.figure.cv": ("cross-validation on the same days at the end of the training year: rolling-origin "
                                  "folds, trained on the days before each fold only, against a shuffled k-fold, trained "
                                  "on later days too; dashed: the base's error on the test days"),
        "overfitting.try.1": "the overfitting setting: in `history.csv`, `valid_mae` turns up while `train_mae` keeps falling",
        "overfitting.try.2": "the same with early stopping: training stops and keeps the weights of the best validation epoch",
        "overfitting.try.3": "the same model on four years of days: the gap between train and test shrinks",
    },
    "zh": {
        "overfitting.title": "过拟合，以及本章每一种对策在它上面的测量",
        "overfitting.idea": (
            "模型可以在训练日上拟合得越来越好，同时在没见过的日子上变差：它学到的是那些日子的噪声，而不是规律。"
            "这就是过拟合。我们有意让它发生——一年的训练日、4 层各 128 个 ReLU、300 个回合、不早停——然后在这同一个"
            "设置上试本章的每一种对策：权重惩罚（L1、L2）、丢弃法、早停、更小的模型、更多数据、输入加噪声、"
            "数据增强、特征选择、集成、交叉验证和超参数搜索。每种对策的设置只在验证日上选择；选定后，"
            "每个种子训练一次，并且只在测试日上评分一次。"),
        "overfitting.table": (
            "ReLU，{layers} 层各 {units} 个，{epochs} 个回合，Adam 学习率 0.001，B = 32；训练日从 {train} 开始，"
            "其中最后 {valid} 天用于验证；测试 {test}。平均绝对误差（千次观看），各种子的均值 ± 标准差；"
            "测试误差的变化超过两倍的种子间波动（取较大者）才算有帮助或有害"),
        "overfitting.col.remedy": "对策",
        "overfitting.col.setting": "在验证集上选定的设置",
        "overfitting.col.valid": "验证 L",
        "overfitting.col.gap": "L′ − L",
        "overfitting.col.seconds": "秒",
        "overfitting.col.verdict": "在测试日上",
        "overfitting.remedy.base": "无（过拟合的设置）",
        "overfitting.remedy.smaller": "更小的模型",
        "overfitting.remedy.l1": "L1 惩罚 λ Σ|w|",
        "overfitting.remedy.l2": "L2 惩罚（权重衰减）",
        "overfitting.remedy.dropout": "丢弃法",
        "overfitting.remedy.early": "早停（恢复最佳权重）",
        "overfitting.remedy.noise": "输入加噪声",
        "overfitting.remedy.augment": "数据增强（缩放窗口）",
        "overfitting.remedy.lags": "特征选择（按重要性选过去的日子）",
        "overfitting.remedy.cv": "用时间序列交叉验证选 L2",
        "overfitting.remedy.search": "超参数搜索（Optuna TPE）",
        "overfitting.remedy.data": "更多数据",
        "overfitting.remedy.seeds": "5 个种子的集成",
        "overfitting.remedy.kinds": "不同模型的集成（ReLU、S 型函数、线性）",
        "overfitting.years": "{years} 年的训练日",
        "overfitting.helps": "有帮助",
        "overfitting.hurts": "有害",
        "overfitting.same": "在波动范围内",
        "overfitting.one_seed": "只有一个种子：无从判断波动",
        "overfitting.finding": (
            "这个设置过拟合了：{parameters} 个权重和偏置只从 {rows} 个训练日学习，足以把它们记住。训练误差 L = {train}k，而验证误差是 {valid}k，测试误差是 {test}k。种子 0 的验证误差"
            "在第 {best} 个回合最低（{best_valid}k），{epochs} 个回合后升到 {last_valid}k，而训练误差一直在下降；"
            "早停恢复了第 {restored} 个回合的权重。在这里超出种子间波动、确实有帮助的对策：{helped}；在波动范围内或更差的：{others}。L1 让第一层 "
            "{zero_l1} 的权重接近零（|w| < 0.01），不用 L1 时是 {zero_base}。{cv}"),
        "overfitting.cv": (
            "在训练年最后同样的 {days} 天（{first}..{last}）上做交叉验证：滚动起点的每一折只用它之前的日子训练，"
            "估计为 {rolling}k；打乱的 k 折每一折用这一年里其余所有日子训练，包括之后的日子，估计为 {shuffled}k，"
            "低了 {lower} %：这是任何对未来日子的预测都达不到的误差。"),
        "overfitting.cv_same": (
            "在训练年最后同样的 {days} 天（{first}..{last}）上做交叉验证：滚动起点的各折估计为 {rolling}k，"
            "打乱的 k 折（也用之后的日子训练）估计为 {shuffled}k：这里泄漏没有压低估计。"),
        "overfitting.claim.gap": "验证误差是训练误差的两倍以上，并且高出 4 倍以上的种子间波动",
        "overfitting.claim.turns": "种子 0 的验证曲线会回升：最后的值高于它的最低点",
        "overfitting.claim.hygiene": "没有任何候选设置或搜索试验在测试日上评分；{finals} 个最终运行各在测试日上评分一次",
        "overfitting.figure.curves": "训练和验证平均绝对误差随回合的变化：过拟合的设置（种子 0），以及恢复最佳权重的早停",
        "overfitting.figure.capacity": "误差与模型容量：训练和验证误差随参数个数（神经元数和层数）的变化",
        "overfitting.figure.remedies": "所有对策并排：测试误差（柱，± 标准差）和验证误差（♦）",
        "overfitting.figure.data": "更多数据：误差随训练年数的变化",
        "overfitting.figure.days": "哪些过去的日子重要：它们在验证集上的重要性，以及有无 L1 时第一层每天的平均 |w|",
        "overfitting.figure.cv": ("在训练年最后同样的日子上做交叉验证：滚动起点的各折只用之前的日子训练，打乱的 k 折也用之后的"
                                  "日子训练；虚线：没有对策时在测试日上的误差"),
        "overfitting.try.1": "过拟合的设置：在 `history.csv` 里，`valid_mae` 回升而 `train_mae` 一直下降",
        "overfitting.try.2": "同样的设置加早停：训练停下，并保留验证误差最低那个回合的权重",
        "overfitting.try.3": "同样的模型用四年的日子训练：训练与测试之间的差距变小",
    },
}
