package agents

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/boltzflow/boltzflow/ebflow"
	"github.com/boltzflow/boltzflow/nn"
)

// MEow (Chao et al., NeurIPS 2024) is an actor-free maximum-entropy agent: one state-conditioned energy-based
// flow π(a|s) is both the policy and the soft Q-function. With E the flow's energy and Z its normaliser
// (package ebflow), and two learnable reward shifts b₁, b₂ (LRS/SCDQ, meow.md §3–4):
//
//	Q_k(s,a) = α·(−E(a|s) + b_k(s))          V_k(s) = α·(log Z(s) + b_k(s))        log π = (Q_k − V_k)/α
//
// V is exact (no sampling) and needs only the σ-net and the shift nets. One gradient step (meow.md §6.2):
//
//	y    = r + γ(1 − terminated)·min(V₁′, V₂′)(s′)             target network, eval mode (no dropout)
//	loss = ½·mean(Q₁(s,a) − y)² + ½·mean(Q₂(s,a) − y)²          online network, train mode (dropout 0.1)
//	Adam(1e-3) on all parameters after clipping the global gradient norm at 30, then θ′ ← (1−τ)θ′ + τθ.
//
// There is no actor loss and no temperature loss: α is fixed per environment.
type MEow[F nn.Float] struct {
	Config MEowConfig

	// Online network: the flow (Scale σ(s) → couplings → Tanh) and the two shift nets.
	Flow   *ebflow.Flow[F]
	Sigma  *ebflow.Scale[F]
	B1, B2 *BlockMLP[F]
	// Target network (same structure), updated by Polyak averaging only.
	TFlow    *ebflow.Flow[F]
	TB1, TB2 *BlockMLP[F]

	Params, TargetParams []*nn.Param[F]
	Opt                  *nn.Adam[F]
	// Src drives dropout masks and stochastic actions; its state belongs in a checkpoint.
	Src *rand.PCG

	rng          *rand.Rand
	train, infer *nn.Tape[F] // train: records, dropout on; infer: no recording, dropout off
	s, a, s2     []F         // batch buffers [n, obs], [n, act], [n, obs]
	r, done, y   []F         // [n]
	stats        []float64
}

// MEowConfig holds MEow's hyper-parameters (meow.md §5–7).
type MEowConfig struct {
	ObsDim, ActDim int
	Alpha          float64 // fixed temperature α
	Tau            float64 // Polyak rate τ of the target network
	Gamma          float64 // discount γ (0.99)
	// LogSigmaMin, LogSigmaMax bound log σ(s) of the flow's linear layer ([−5, −0.3]; HalfCheetah [−5, 2]).
	LogSigmaMin, LogSigmaMax float64
	LR                       float64 // Adam learning rate (1e-3)
	GradClip                 float64 // global gradient-norm clip (30)
	Couplings                int     // number of additive coupling layers (4)
	FlowHidden               []int   // hidden widths of the σ-net and the translation nets ([64, 64])
	ShiftHidden              []int   // hidden widths of the shift nets b₁, b₂ ([256, 256])
	Dropout                  float64 // dropout of the translation nets (0.1)
}

// DefaultMEowConfig returns the MuJoCo settings of meow.md §6.3 (Hopper's α and τ) for the given dimensions.
func DefaultMEowConfig(obsDim, actDim int) MEowConfig {
	return MEowConfig{
		ObsDim: obsDim, ActDim: actDim,
		Alpha: 0.25, Tau: 0.005, Gamma: 0.99,
		LogSigmaMin: -5, LogSigmaMax: -0.3,
		LR: 1e-3, GradClip: 30, Couplings: 4,
		FlowHidden: []int{64, 64}, ShiftHidden: []int{256, 256}, Dropout: 0.1,
	}
}

// MEowStatNames names the statistics returned by MEow.Update.
var MEowStatNames = []string{"loss", "q_mean", "q_std", "v_target_mean", "y_mean", "b1_mean", "b2_mean",
	"log_sigma_mean", "grad_norm", "alpha", "dropped_rows"}

// meowNets builds one copy of the networks: σ-net (zero weights), translation nets (orthogonal weights,
// LayerNorm, Swish, dropout) and the two shift nets (zero weights), all with learnable-β Swish (meow.md §5.2).
func meowNets[F nn.Float](prefix string, c MEowConfig, rng *rand.Rand) (*ebflow.Flow[F], *ebflow.Scale[F], *BlockMLP[F], *BlockMLP[F]) {
	d, o := c.ActDim, c.ObsDim
	sizes := func(in int, hidden []int, out int) []int {
		return append(append([]int{in}, hidden...), out)
	}
	sigma := ebflow.NewScale[F](NewBlockMLP[F](prefix+"sigma", sizes(o, c.FlowHidden, d), nn.ActSwish, false, 0, InitZeroWeights, rng),
		c.LogSigmaMin, c.LogSigmaMax)
	layers := []ebflow.Layer[F]{sigma}
	for k := 0; k < c.Couplings; k++ {
		t := NewBlockMLP[F](fmt.Sprintf("%st%d", prefix, k), sizes(d+o, c.FlowHidden, d), nn.ActSwish, true, c.Dropout, InitOrthogonalWeights, rng)
		layers = append(layers, ebflow.NewAdditiveCoupling(ebflow.AlternatingMask[F](d, k%2), ebflow.Net[F](t)))
	}
	layers = append(layers, ebflow.NewTanh[F]())
	b1 := NewBlockMLP[F](prefix+"b1", sizes(o, c.ShiftHidden, 1), nn.ActSwish, false, 0, InitZeroWeights, rng)
	b2 := NewBlockMLP[F](prefix+"b2", sizes(o, c.ShiftHidden, 1), nn.ActSwish, false, 0, InitZeroWeights, rng)
	return ebflow.NewFlow(d, layers...), sigma, b1, b2
}

// NewMEow returns a MEow agent with networks initialised from seed; the target network starts as a copy.
func NewMEow[F nn.Float](c MEowConfig, seed uint64) *MEow[F] {
	m := &MEow[F]{Config: c, Src: rand.NewPCG(seed, 0x3e0)}
	m.rng = rand.New(m.Src)
	initRng := rand.New(rand.NewPCG(seed, 0x1417))
	m.Flow, m.Sigma, m.B1, m.B2 = meowNets[F]("", c, initRng)
	m.TFlow, _, m.TB1, m.TB2 = meowNets[F]("target.", c, initRng)
	m.Params = append(append(m.Flow.Params(), m.B1.Params()...), m.B2.Params()...)
	m.TargetParams = append(append(m.TFlow.Params(), m.TB1.Params()...), m.TB2.Params()...)
	nn.CopyParams(m.TargetParams, m.Params)
	m.Opt = nn.NewAdam(m.Params, c.LR)
	m.train = nn.NewTape[F](m.rng)
	m.train.Training = true
	m.infer = nn.NewTape[F](nil)
	m.infer.NoGrad = true
	m.stats = make([]float64, len(MEowStatNames))
	return m
}

// Checkpoint returns what a checkpoint of the agent holds: online and target parameters (target ones named
// "target.*"), the Adam state and the random source.
func (m *MEow[F]) Checkpoint() *nn.Checkpoint[F] {
	return &nn.Checkpoint[F]{Params: append(append([]*nn.Param[F](nil), m.Params...), m.TargetParams...), Optim: m.Opt, RNG: m.Src}
}

// StatNames implements Learner.
func (m *MEow[F]) StatNames() []string { return MEowStatNames }

// QValues returns Q₁(s,a), Q₂(s,a) ([n]) of the online network for states s ([n, obs]) and actions a
// ([n, act] in [−1, 1]), together with log Z(s) and the shifts b₁(s), b₂(s) ([n] each). With tp.Training the
// translation nets use dropout.
func (m *MEow[F]) QValues(tp *nn.Tape[F], s, a *nn.Tensor[F]) (q1, q2, logZ, b1, b2 *nn.Tensor[F]) {
	alpha := m.Config.Alpha
	energy, logZ := m.Flow.Energy(tp, a, s)
	n := s.Dim(0)
	b1 = tp.Reshape(m.B1.Forward(tp, s), n)
	b2 = tp.Reshape(m.B2.Forward(tp, s), n)
	return tp.Scale(tp.Sub(b1, energy), alpha), tp.Scale(tp.Sub(b2, energy), alpha), logZ, b1, b2
}

// Values returns V₁(s), V₂(s) ([n]) = α(log Z(s) + b_k(s)) of the online network, or of the target network
// when target is set. Only the σ-net and the shift nets are evaluated.
func (m *MEow[F]) Values(tp *nn.Tape[F], s *nn.Tensor[F], target bool) (v1, v2 *nn.Tensor[F]) {
	flow, b1n, b2n := m.Flow, m.B1, m.B2
	if target {
		flow, b1n, b2n = m.TFlow, m.TB1, m.TB2
	}
	n := s.Dim(0)
	logZ := flow.LogZ(tp, s, n)
	b1 := tp.Reshape(b1n.Forward(tp, s), n)
	b2 := tp.Reshape(b2n.Forward(tp, s), n)
	return tp.Scale(tp.Add(logZ, b1), m.Config.Alpha), tp.Scale(tp.Add(logZ, b2), m.Config.Alpha)
}

// Update implements Learner: one MEow gradient step on the batch (meow.md §6.2).
func (m *MEow[F]) Update(b *Batch) ([]float64, error) {
	c := m.Config
	tp := m.train
	l := m.Loss(tp, b)

	// Gradient step: clip the global norm at 30, Adam, then Polyak-average the whole target network.
	nn.ZeroGrad(m.Params)
	tp.Backward(l.Loss)
	gn := nn.ClipGradNorm(m.Params, c.GradClip)
	lv := float64(l.Loss.Data[0])
	if !isFinite(lv) {
		return nil, &DivergenceError{What: "loss"}
	}
	if !isFinite(gn) {
		return nil, &DivergenceError{What: "gradient norm"}
	}
	m.Opt.Step()
	if p := firstNonFiniteParam(m.Params); p != "" {
		return nil, &DivergenceError{What: "parameter " + p}
	}
	nn.Polyak(m.TargetParams, m.Params, c.Tau)

	st := m.stats
	st[0] = lv
	st[1], st[2] = meanStd(l.Q1.Data)
	st[3], _ = meanStd(l.V1.Data)
	st[4], _ = meanStd(m.y)
	st[5], _ = meanStd(l.B1.Data)
	st[6], _ = meanStd(l.B2.Data)
	lz, _ := meanStd(l.LogZ.Data)
	st[7] = (lz - float64(c.ActDim)*0.5*math.Log(2*math.Pi)) / float64(c.ActDim)
	st[8], st[9], st[10] = gn, c.Alpha, float64(l.Dropped)
	return st, nil
}

// MEowLoss holds the tensors of one loss evaluation: the scalar Loss, the online Q heads, log Z(s) and shifts
// b_k(s) ([n] each, on the loss tape), the target values V′_k(s′) ([n], no gradient), the targets Y ([n]) and
// the number of non-finite entries dropped.
type MEowLoss[F nn.Float] struct {
	Loss                 *nn.Tensor[F]
	Q1, Q2, LogZ, B1, B2 *nn.Tensor[F]
	V1, V2               *nn.Tensor[F]
	Y                    []F
	Dropped              int
}

// Loss records the MEow loss of batch b on tp (after resetting it); Update then differentiates it.
func (m *MEow[F]) Loss(tp *nn.Tape[F], b *Batch) MEowLoss[F] {
	c := m.Config
	n, od, ad := b.N, c.ObsDim, c.ActDim
	m.load(b)

	// 1. Target y = r + γ(1 − terminated)·min(V₁′, V₂′)(s′): target network, eval mode, no gradient.
	//    min(V₁′, V₂′) = α(log Z′(s′) + min(b₁′, b₂′)(s′)): the clipped value of SCDQ.
	it := m.infer
	it.Reset()
	v1, v2 := m.Values(it, it.Const(m.s2, n, od), true)
	for i := 0; i < n; i++ {
		m.y[i] = m.r[i] + F(c.Gamma)*(1-m.done[i])*min(v1.Data[i], v2.Data[i])
	}

	// 2. Both Q heads of the online network (dropout on in the translation nets when tp.Training).
	tp.Reset()
	q1, q2, logZ, b1, b2 := m.QValues(tp, tp.Const(m.s, n, od), tp.Const(m.a, n, ad))

	// 3. loss = ½·mean(Q₁ − y)² + ½·mean(Q₂ − y)². Non-finite entries count as 0 (the reference's NaN → 0
	//    rule): they are left out of the sums, not out of the divisor 2n.
	e1, y1, drop1 := keepFinite(tp, q1, m.y)
	e2, y2, drop2 := keepFinite(tp, q2, m.y)
	sq := tp.Add(tp.Sum(tp.Square(tp.Sub(e1, y1))), tp.Sum(tp.Square(tp.Sub(e2, y2))))
	return MEowLoss[F]{
		Loss: tp.Scale(sq, 1/float64(2*n)),
		Q1:   q1, Q2: q2, LogZ: logZ, B1: b1, B2: b2, V1: v1, V2: v2, Y: m.y, Dropped: drop1 + drop2,
	}
}

// Act implements Actor: a = tanh(f(ε; s)) with ε ~ N(0, I) (stochastic), or the deterministic action
// tanh(f(0; s)) — the zero latent pushed through the flow (meow.md §6.4). Dropout is off.
func (m *MEow[F]) Act(dst, obs []float64, n int, deterministic bool) {
	c := m.Config
	if len(obs) != n*c.ObsDim || len(dst) != n*c.ActDim {
		panic(fmt.Sprintf("agents: MEow.Act: obs %d, dst %d entries for n=%d, obs dim %d, act dim %d",
			len(obs), len(dst), n, c.ObsDim, c.ActDim))
	}
	tp := m.infer
	tp.Reset()
	s := tp.New(n, c.ObsDim)
	for i, v := range obs {
		s.Data[i] = F(v)
	}
	var a *nn.Tensor[F]
	if deterministic {
		a = m.Flow.Mode(tp, s, n)
	} else {
		eps := tp.New(n, c.ActDim)
		for i := range eps.Data {
			eps.Data[i] = F(m.rng.NormFloat64())
		}
		a, _ = m.Flow.Sample(tp, eps, s)
	}
	for i, v := range a.Data {
		dst[i] = min(max(float64(v), -1), 1)
	}
}

// load copies the batch into the agent's buffers of element type F.
func (m *MEow[F]) load(b *Batch) {
	n, od, ad := b.N, m.Config.ObsDim, m.Config.ActDim
	if len(b.Obs) != n*od || len(b.Act) != n*ad {
		panic(fmt.Sprintf("agents: MEow.Update: batch obs %d act %d entries, want %d×%d and %d×%d",
			len(b.Obs), len(b.Act), n, od, n, ad))
	}
	if len(m.r) != n {
		m.s, m.s2, m.a = make([]F, n*od), make([]F, n*od), make([]F, n*ad)
		m.r, m.done, m.y = make([]F, n), make([]F, n), make([]F, n)
	}
	convert(m.s, b.Obs)
	convert(m.s2, b.Next)
	convert(m.a, b.Act)
	convert(m.r, b.Rew)
	convert(m.done, b.Done)
}

func convert[F nn.Float](dst []F, src []float32) {
	for i, v := range src {
		dst[i] = F(v)
	}
}

// keepFinite returns q and the target tensor y when every entry of q and y is finite; otherwise the finite
// entries of q (gathered, so gradients reach only them), their targets, and the number of entries dropped.
func keepFinite[F nn.Float](tp *nn.Tape[F], q *nn.Tensor[F], y []F) (qk, yk *nn.Tensor[F], dropped int) {
	n := len(y)
	all := true
	for i, v := range q.Data {
		if !isFinite(float64(v)) || !isFinite(float64(y[i])) {
			all = false
			break
		}
	}
	if all {
		return q, tp.Const(y, n), 0
	}
	var keep []int
	for i, v := range q.Data {
		if isFinite(float64(v)) && isFinite(float64(y[i])) {
			keep = append(keep, i)
		}
	}
	yt := tp.New(len(keep))
	for j, i := range keep {
		yt.Data[j] = y[i]
	}
	return tp.Gather(q, 0, keep), yt, n - len(keep)
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// firstNonFiniteParam returns the name of the first parameter with a non-finite entry, or "".
func firstNonFiniteParam[F nn.Float](ps []*nn.Param[F]) string {
	for _, p := range ps {
		for _, v := range p.Data {
			if !isFinite(float64(v)) {
				return p.Name
			}
		}
	}
	return ""
}

// meanStd returns the mean and population standard deviation of x.
func meanStd[F nn.Float](x []F) (mean, std float64) {
	if len(x) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, v := range x {
		mean += float64(v)
	}
	mean /= float64(len(x))
	for _, v := range x {
		std += (float64(v) - mean) * (float64(v) - mean)
	}
	return mean, math.Sqrt(std / float64(len(x)))
}
