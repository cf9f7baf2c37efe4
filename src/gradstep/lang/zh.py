"""The report's words in Chinese, with the terms of 李宏毅深度学习教程 (keys shared with en.py)."""

STRINGS = {
    # 研究之外的报告
    "report.title": "gradstep：在真实数据上重现深度学习第一章",
    "report.data": "数据：{source}；{split}",
    "report.builtin": "英文维基百科页面 `{page}` 的每日浏览量（内置）",
    "report.csv": "你的序列 {csv}（列 {column}）",
    "report.csv_column": "从文件中找到",
    "report.units": "平均绝对误差（MAE）以千次浏览（k）为单位，为各随机种子的均值 ± 标准差；课程中的数字来自它的 YouTube 频道，请比较趋势，而不是具体数字",
    "report.studies": "研究：`{studies}`；随机种子数：{seeds}{quick}",
    "report.quick": "；快速模式",
    "report.wall": "用时：{seconds} 秒，{workers} 个工作进程",
    "report.wall_scheduler": "用时：{seconds} 秒，在调度器 {scheduler} 的分布式集群上",
    "report.machine": "机器：`{machine}`",
    "report.command": "命令：`{command}`",
    "report.figure_font": "图中的文字为英文：没有找到中文字体（Debian 上：`apt-get install fonts-noto-cjk`）",
    "report.contents": "目录",
    "report.idea": "思路",
    "report.formula": "公式",
    "report.results": "测量结果",
    "report.finding": "结论",
    "report.claim": "{verdict}：{claim}",
    "report.try": "动手试试",
    "report.holds": "✓ 成立",
    "report.fails": "✗ 不成立",
    "report.figure": "图",
    "report.done": "{name}：在 {seconds} 秒时完成（{jobs} 个任务）",
    "report.round": "{name}：第 {round} 轮在 {seconds} 秒时完成（目前共 {jobs} 个任务）；下一轮：{more} 个任务",
    "report.running": "运行——研究：{studies}，任务：{jobs}，随机种子：{seeds}，工作进程：{workers}{quick}",
    "report.running_scheduler": "运行——研究：{studies}，任务：{jobs}，随机种子：{seeds}，分布式调度器：{scheduler}{quick}",
    "report.running_quick": "（快速）",
    "report.wrote": "已写入 {md} 和 {html}，用时 {seconds} 秒",
    "report.failed": "；{failed} 项检验不成立",
    "report.kept": "沿用此目录中先前运行的结果：{studies}",
    # 各研究共用的词
    "common.lecture_split": "训练 {train}，测试 {test}，与课程相同{year}",
    "common.year_test": "，并以 2021 全年作为第二个测试",
    "common.own_split": "序列范围为 {span}，不是课程的 2017–2021，所以用它自己的最后 45 天作测试，之前的每一天都用来训练（没有全年测试）",
    "common.falls": "每一步都下降",
    "common.rises": "每一步都上升",
    "common.lowest": "在 {label} 时最低",
    "common.within_spread": "；都在随机种子的波动范围之内",
    "common.the_lecture": "；课程：{path}",
    "common.goes": "为 {path}k（{trend}{lecture}）",
    "common.errors_table": "L（训练）与 L′（测试），平均绝对误差，单位千次浏览，各随机种子的均值 ± 标准差",
    "col.train": "训练 L",
    "col.test": "测试 L′",
    "col.test45": "测试 L′（45 天）",
    "col.year": "2021 全年测试",
    "col.lecture_train": "课程 L",
    "col.lecture_test": "课程 L′",
    # 梯度下降
    "gradient-descent.title": "1 天模型 y = b + w x1 上的梯度下降",
    "gradient-descent.idea": (
        "训练就是找使损失 L(w, b) 变小的 w 和 b。梯度下降从一个初始值出发，计算 L 在该点的斜率（梯度），"
        "然后朝下坡方向走一步，步子的大小是梯度乘以学习率 η——这是我们自己设定的超参数。学习率太小，走得很慢；"
        "学习率太大，会越过山谷，越走越高。这个模型的最优 w 和 b 也可以直接算出来（最小二乘法），"
        "所以可以看到梯度下降是否真的到达了那里。"),
    "gradient-descent.table": "各学习率最后停在哪里（均方误差单位为 k²，b 的单位为千次浏览）",
    "gradient-descent.col.lr": "学习率 η",
    "gradient-descent.col.steps": "步数",
    "gradient-descent.col.loss": "最终 L（k²）",
    "gradient-descent.col.done": "到达最优？",
    "gradient-descent.rate.too small": "太小",
    "gradient-descent.rate.good": "合适",
    "gradient-descent.rate.too large": "太大",
    "gradient-descent.verdict.yes": "是",
    "gradient-descent.verdict.diverged": "发散",
    "gradient-descent.verdict.not yet": "还没有",
    "gradient-descent.row.least_squares": "闭式解（最小二乘法）",
    "gradient-descent.row.book": "书中的 w*, b*",
    "gradient-descent.finding": (
        "学习率合适时，梯度下降到达最小二乘的最优解 w* = {w}，b* = {b}k（书中频道：0.97，0.1k）；"
        "学习率太小，走了同样的步数后仍离得很远；学习率太大，则会越过最优点，损失越来越大。"),
    "gradient-descent.claim": "梯度下降（η = {lr}）到达闭式解：w 和 b 与最小二乘相差不超过 {gap}（标准化单位）",
    "gradient-descent.figure": "误差曲面 L(w, b) 与各学习率的路径（步骤已编号），以及损失随步数的变化，单位都是 k²",
    "gradient-descent.try.1": "合适的学习率：损失降到最小二乘的值并保持不变",
    "gradient-descent.try.2": "学习率 1.02：训练会停止，并提示损失在增大——每一步都落在山谷另一侧更远的地方",
    "gradient-descent.try.3": "很小的学习率：同样 200 个回合之后，它的训练 MSE（MSE 一列）仍高于合适学习率的——还没有走到",
    # 线性模型
    "linear.title": "用 1、7、28、56 天的线性模型",
    "linear.idea": (
        "最初的猜测：明天的观看次数是过去 k 天的加权和再加上偏置，y = b + Σ wj xj。每个权重表示过去某一天有多重要。"
        "读更多天（k = 1、7、28、56），模型掌握的信息更多，训练误差 L 会下降；真正的问题是没看过的日子上的误差 L′ "
        "是否也下降。无论权重怎么设，线性模型只能画出直线和平面：这种限制就是模型偏差（model bias），"
        "接下来的研究会去掉它。"),
    "linear.col.days": "天数 k",
    "linear.weights": "7 天模型的权重（种子 0）与书中表 1.1 对比；b 的单位为千次浏览",
    "linear.book": "书中",
    "linear.plot_title": "56 天线性模型在测试日上的预测：MAE {mae}k",
    "linear.label": "{days} 天",
    "linear.finding": "用 1、7、28、56 天时，测试误差 L′ {test}，训练误差 L {train}。7 天模型最倚重 {heaviest}。",
    "linear.weight1": "w{j} = {w}（前 {j} 天）",
    "linear.weight": "w{j} = {w}（前 {j} 天）",
    "linear.and": " 和 ",
    "linear.figure": "56 天线性模型：测试日上的预测值与真实观看次数",
    "linear.try.1": "单独训练 7 天模型：把 `model.npz` 中的权重与书中表 1.1 对比（w1 ≈ 0.79，w7 ≈ 0.18）",
    "linear.try.2": "同一个模型改用均方误差 MSE 而不是课程的 MAE 训练：比较它输出的测试 MAE",
    "linear.try.3": "同样的 56 天改由 100 个 ReLU 读取而不是加权和：测试误差会低于线性模型吗？",
    # 分段线性曲线
    "piecewise.title": "分段线性曲线 = 常数 + 一组 Hard Sigmoid",
    "piecewise.idea": (
        "要摆脱模型偏差，需要更有弹性的函数。任何分段线性曲线（piecewise linear curve）都等于一个常数加上一组 "
        "Hard Sigmoid：每个 Hard Sigmoid 先是水平的，然后上升 ci，再变回水平，为曲线添加一个转折。"
        "片段越多，越贴近曲线；连续的曲线可以被逼近到任意精度。一个 Hard Sigmoid 是两个 ReLU 之差；"
        "Sigmoid 函数 c / (1 + e^−(b + w x)) 是它的平滑版本，w 越大越陡。下面的曲线是这个页面的平均年度曲线。"),
    "piecewise.pieces": "曲线与常数 + n 个 Hard Sigmoid 之间的 MAE（千次浏览）",
    "piecewise.col.n": "Hard Sigmoid 个数 n",
    "piecewise.sharp": "σ(w z) 与在 0 处斜率相同的 Hard Sigmoid clip(w z / 4 + 1/2, 0, 1) 的比较",
    "piecewise.row.area": "面积 ∫|σ − hard| dz",
    "piecewise.row.max": "最大 |σ − hard|",
    "piecewise.falls": "下降",
    "piecewise.not_always": "并不总是下降",
    "piecewise.finding": (
        "这个页面的年度曲线可以用常数加 n 个 Hard Sigmoid 来逼近，误差随着片段增加而{falls}：1 个时为 {first}k，"
        "{most} 个时为 {last}k。{n} 个片段时，Hard Sigmoid 的误差为 {hard}k，换成 Sigmoid 的同样片段误差为 {sigmoid}k。"
        "w 越大，Sigmoid 越贴近更陡的 Hard Sigmoid：从 w = {w_first} 到 {w_last}，两者之间的面积从 {area_first} → "
        "{area_last}（按 1/w 缩小），而最大差距保持在 {gap}。"),
    "piecewise.claim.relu": "hard_sigmoid(z) = relu(z) − relu(z − 1)：最大差异 {gap} 次浏览",
    "piecewise.claim.knots": "常数 + Σ Hard Sigmoid 就是穿过各节点的分段线性曲线：最大差异 {gap} 次浏览",
    "piecewise.figure": "常数与 {n} 个 Hard Sigmoid 相加得到曲线；Sigmoid 版本；误差随片段数的变化；w 增大的 Sigmoid 与 Hard Sigmoid",
    "piecewise.try.1": "用 3 个 Sigmoid 读取昨天的观看次数：一条有三个转折的曲线；把它的测试 MAE 与 1 天线性模型比较",
    "piecewise.try.2": "30 个 Sigmoid：片段更多，训练日拟合得更紧——测试误差也会跟着下降吗？",
    "piecewise.try.3": "`Christmas` 页面：一年只有一个尖峰——需要多少个片段？",
    # 神经元个数
    "units.title": "一层 10、100、1000 个 Sigmoid 或 ReLU，读取 56 天",
    "units.idea": (
        "把这些片段组合起来，一次读取全部 k 天：y = b + Σi ci σ(bi + Σj wij xj)，写成矩阵就是 y = b + cᵀσ(b + W x)。"
        "每个神经元是一个 Sigmoid——或一个 ReLU，max(0, z)，两个 ReLU 组成一个 Hard Sigmoid——神经元越多，片段越多，"
        "网络能表示的函数就越复杂。W、b、c 和 b 合起来就是训练要找的参数 θ。增加神经元，在模型没看过的日子上还会更好吗？"),
    "units.col.units": "神经元个数",
    "units.col.activation": "激活函数",
    "units.label": "{units} 个神经元",
    "units.finding": "用 10、100、1000 个 ReLU 时，训练误差 L {relu_train}，测试误差 L′ {relu_test}。用 Sigmoid 时 L {sigmoid_train}，L′ {sigmoid_test}。",
    "units.figure": "训练误差与测试误差随神经元个数的变化，Sigmoid 与 ReLU，并附课程中 ReLU 的数字",
    "units.try.1": "10 个 ReLU：片段很少——把它的训练误差与 1000 个神经元的模型比较",
    "units.try.2": "1000 个 ReLU：片段很多；训练误差下降，看看测试误差是否也下降",
    "units.try.3": "用更大学习率训练 Sigmoid：同样回合数内能赶上 ReLU 吗？",
    # 深度
    "depth.title": "更深：1 到 4 层，每层 100 个 ReLU",
    "depth.idea": (
        "不再把神经元并排加宽，而是把它们叠起来：一层 ReLU 的输出 a 作为下一层的输入。这就是深度学习——很多隐藏层。"
        "每一层都可以把前一层的结果再弯折，训练误差随层数增加不断下降。但在训练日上拟合得更好的模型，"
        "在没看过的日子上不一定更好：L 下降而 L′ 上升，这就是过拟合。我们用从训练数据中留出的验证集来选择层数——"
        "绝不用测试日。"),
    "depth.table": "L（训练）、L 验证（留出的最后 {valid} 个训练日）与 L′（测试），平均绝对误差，单位千次浏览，各随机种子的均值 ± 标准差",
    "depth.col.layers": "层数",
    "depth.col.valid": "验证 L",
    "depth.label.1": "1 层",
    "depth.label": "{layers} 层",
    "depth.plot_title": "由验证集选出的层数：{layers}（每层 100 个 ReLU）；测试日上 MAE {mae}k",
    "depth.finding": "用 1 到 4 层、每层 100 个 ReLU 时，训练误差 L {train}，测试误差 L′ {test}。验证集选出的是 {chosen}。{verdict}",
    "depth.verdict.overfits": "超过 {best} 后，更深的网络在训练日上更好，在测试日上却更差：这是过拟合，正如课程中的 4 层。",
    "depth.verdict.harder": "超过 {best} 后，更深的网络在测试日上更差，在训练日上也没有更好：这里更深的网络更难训练。",
    "depth.verdict.spread": "测试误差在 {best} 时最低，但最深的模型与它的差距在随机种子的波动范围之内，所以这些运行没有清楚地显示出课程中 4 层的过拟合。",
    "depth.verdict.deepest": "这里最深的模型在测试日上也最好：4 层时没有出现过拟合。",
    "depth.figure": "训练误差与测试误差随层数的变化，我们的与课程的",
    "depth.curves": "训练曲线（种子 0）：各层数下训练与验证 MAE 随回合的变化；标记为验证误差最低的回合",
    "depth.test_figure": "由验证集选出的层数（{layers}）：测试日上的预测值与真实观看次数",
    "depth.try.1": "4 层加 45 个验证日：在 `history.csv` 中观察 `valid_mae` 开始上升而 `train_mae` 继续下降",
    "depth.try.2": "同样设置加提前停止（`--patience 10`）：训练在验证误差最低处附近停止，并保留那时的权重",
    "depth.try.3": "同样设置，每层之后加 0.2 的 Dropout：训练与验证之间的差距会缩小吗？",
    # 激活函数
    "activation.title": "激活函数：没有它，再深也做不到的事",
    "activation.idea": (
        "为什么要在层与层之间放 Sigmoid 或 ReLU？没有它们，每一层都是前一层的线性函数，而线性函数的线性函数仍然是线性的："
        "三层会合并成一层，y = W x + b，不论多深。正是激活函数让每一层能够弯折。下面两个网络都是同样的三层，"
        "拟合这个页面的年度曲线。"),
    "activation.table": "拟合年度曲线（观看次数对一年中的第几天）：MAE 单位千次浏览，各随机种子的均值 ± 标准差",
    "activation.col.model": "模型",
    "activation.col.mae": "曲线上的 MAE",
    "activation.forecast": "没有激活函数的 3 层 100 个神经元用于预测任务（56 天），MAE 单位千次浏览",
    "activation.finding": (
        "叠加线性层没有任何帮助：没有激活函数的 3 层网络恰好是一个线性模型（最大差异 {gap}），拟合年度曲线并不比一条直线好"
        "（{deep}k 对 {line}k）；加上 ReLU 后，同样的深度{relu}"),
    "activation.follows": "能跟上这条曲线（{mae}k）。",
    "activation.somewhat": "只稍微好一些（{mae}k）。",
    "activation.claim": "没有激活函数的网络等于合并后的线性模型 W = W3 W2 W1：最大差异 {gap}（标准化单位）",
    "activation.figure": "年度曲线分别由一条直线、3 个线性层（同一条直线：两者重合）和 3 层 ReLU 拟合",
    "activation.try.1": "用 3 层各 32 个 ReLU 读取昨天的观看次数：把测试误差与直线比较",
    "activation.try.2": "同一天上的直线 y = b + w x1，作为对比",
    "activation.try.3": "`Christmas` 页面，它的年度曲线只有一个尖峰：ReLU 能贴得多近？",
    # 批量大小
    "batch-size.title": "批量大小：全批量、随机与小批量",
    "batch-size.idea": (
        "实际上，梯度不是一次在全部 N 条训练数据上计算的。数据被分成大小为 B 的批量（batch）；每个批量算出一个梯度 g，"
        "更新一次 θ，把所有批量都看过一遍叫做一个回合（epoch）。全批量（B = N）每个回合更新一次，步子稳；"
        "随机梯度下降（B = 1）每个回合更新 N 次，步子带噪声；小批量介于两者之间。B 是超参数："
        "它在更新次数与每次更新的时间和内存之间取舍。"),
    "batch-size.table": ("ReLU，1 层 {units} 个神经元，{days} 天，Adam，学习率 0.001；每个 B 的预算相同：{epochs} 个回合，"
                         "每个训练日都看 {epochs} 次；MAE 单位千次浏览"),
    "batch-size.col.batch": "批量大小 B",
    "batch-size.col.updates": "每回合更新次数",
    "batch-size.col.seconds": "每回合秒数",
    "batch-size.col.memory": "峰值内存（MB）",
    "batch-size.col.noise": "路径噪声（%）",
    "batch-size.full": "全批量 (N)",
    "batch-size.finding": (
        "全批量每个回合更新 1 次，B = 1 更新 {updates} 次：全批量一个回合用时 {full} 秒，B = 1 用时 {one} 秒。"
        "同样的回合数内，训练损失最低的是 B = {best}，回合最快的是 B = {fastest}；全批量每回合只更新一次，最终 L = {loss}k。"
        "路径最抖的是 B = {noisiest}：训练损失在相邻回合之间的变化为 {most} %（后半段的标准差），全批量只有 {full_noise} %，"
        "因为它每一步都沿着整个梯度走。"),
    "batch-size.figure": "各批量大小下训练损失随回合、随更新次数和随秒数的变化",
    "batch-size.try.1": "B = 1：每回合上千次更新——把每回合秒数与默认的 B = 32 比较",
    "batch-size.try.2": "全批量：5 个回合只有 5 次更新——把它的训练 MAE 与默认 B = 32 同样 5 个回合后的结果比较",
    "batch-size.try.3": "全批量、10 倍学习率、更多回合：更少但更大的步子能赶上吗？",
}
