package agents

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/boltzflow/boltzflow/nn"
)

// SAC is the soft actor-critic baseline with CleanRL's settings (sac_continuous_action.py, meow.md §11):
//
//	y      = r + γ(1 − terminated)·[min(Q₁′, Q₂′)(s′, a′) − α log π(a′|s′)],  a′ ~ π(·|s′)
//	L_Q    = mean(Q₁(s,a) − y)² + mean(Q₂(s,a) − y)²                        Adam(1e-3), every step
//	L_π    = mean(α log π(ã|s) − min(Q₁, Q₂)(s, ã)),  ã ~ π(·|s) reparameterised   Adam(3e-4)
//	L_α    = mean(−α (log π(ã|s) − d)),  α = exp(log α), log α₀ = 0               Adam(1e-3)
//
// The actor and α are updated on every second step, twice in a row (CleanRL's delayed update compensated).
// Both Q targets are Polyak-averaged with τ = 0.005 every step. No gradient clipping. The actor is a ReLU MLP
// [obs, 256, 256] with heads for the mean and log std, log std = −5 + 3.5·(tanh(raw) + 1) ∈ [−5, 2], and
// a = tanh(u), u ~ N(mean, std²); actions are in [−1, 1] (Gymnasium's RescaleAction), so CleanRL's action
// scale is 1 and log π = log N(u) − Σ log(1 − a² + 1e-6).
type SAC struct {
	Config SACConfig

	L1, L2, Mean, LogStd *nn.Linear[float32] // actor
	Q1, Q2, TQ1, TQ2     *BlockMLP[float32]  // critics and their targets
	LogAlpha             *nn.Param[float32]  // [1]

	ActorParams, QParams, TargetParams []*nn.Param[float32]
	allParams                          []*nn.Param[float32] // actor, critics, log α (finiteness check)
	QOpt, ActorOpt, AlphaOpt           *nn.Adam[float32]
	// Src drives the policy noise; its state belongs in a checkpoint.
	Src *rand.PCG

	rng          *rand.Rand
	train, infer *nn.Tape[float32]
	s, a, s2     []float32
	r, done, y   []float32
	stats        []float64
}

// SACConfig holds SAC's hyper-parameters.
type SACConfig struct {
	ObsDim, ActDim       int
	Gamma, Tau           float64 // 0.99, 0.005
	QLR, PolicyLR        float64 // 1e-3, 3e-4
	Hidden               []int   // [256, 256] for the actor trunk and both critics
	PolicyFrequency      int     // 2
	TargetEntropy        float64 // −d
	LogStdMin, LogStdMax float64 // −5, 2
}

// DefaultSACConfig returns CleanRL's settings for the given dimensions.
func DefaultSACConfig(obsDim, actDim int) SACConfig {
	return SACConfig{ObsDim: obsDim, ActDim: actDim, Gamma: 0.99, Tau: 0.005, QLR: 1e-3, PolicyLR: 3e-4,
		Hidden: []int{256, 256}, PolicyFrequency: 2, TargetEntropy: -float64(actDim), LogStdMin: -5, LogStdMax: 2}
}

// SACStatNames names the statistics returned by SAC.Update.
var SACStatNames = []string{"qf_loss", "q1_mean", "q1_std", "actor_loss", "alpha", "alpha_loss", "entropy"}

// NewSAC returns a SAC agent with PyTorch-default initialisation from seed; targets start as copies.
func NewSAC(c SACConfig, seed uint64) *SAC {
	if len(c.Hidden) != 2 {
		panic(fmt.Sprintf("agents: NewSAC: want two hidden widths, got %v", c.Hidden))
	}
	s := &SAC{Config: c, Src: rand.NewPCG(seed, 0x5ac)}
	s.rng = rand.New(s.Src)
	ir := rand.New(rand.NewPCG(seed, 0x1417))
	def := nn.Init{Kind: nn.InitPyTorch}
	h0, h1 := c.Hidden[0], c.Hidden[1]
	s.L1 = nn.NewLinear[float32]("actor.0", c.ObsDim, h0, def, ir)
	s.L2 = nn.NewLinear[float32]("actor.1", h0, h1, def, ir)
	s.Mean = nn.NewLinear[float32]("actor.mean", h1, c.ActDim, def, ir)
	s.LogStd = nn.NewLinear[float32]("actor.logstd", h1, c.ActDim, def, ir)
	for _, l := range []*nn.Linear[float32]{s.L1, s.L2, s.Mean, s.LogStd} {
		s.ActorParams = append(s.ActorParams, l.Params()...)
	}
	sizes := []int{c.ObsDim + c.ActDim, h0, h1, 1}
	s.Q1 = NewBlockMLP[float32]("q1", sizes, nn.ActReLU, false, 0, InitDefault, ir)
	s.Q2 = NewBlockMLP[float32]("q2", sizes, nn.ActReLU, false, 0, InitDefault, ir)
	s.TQ1 = NewBlockMLP[float32]("target.q1", sizes, nn.ActReLU, false, 0, InitDefault, ir)
	s.TQ2 = NewBlockMLP[float32]("target.q2", sizes, nn.ActReLU, false, 0, InitDefault, ir)
	s.QParams = append(append([]*nn.Param[float32](nil), s.Q1.Params()...), s.Q2.Params()...)
	s.TargetParams = append(append([]*nn.Param[float32](nil), s.TQ1.Params()...), s.TQ2.Params()...)
	nn.CopyParams(s.TargetParams, s.QParams)
	s.LogAlpha = nn.NewParam[float32]("log_alpha", 1)
	s.allParams = append(append(append([]*nn.Param[float32](nil), s.ActorParams...), s.QParams...), s.LogAlpha)
	s.QOpt = nn.NewAdam(s.QParams, c.QLR)
	s.ActorOpt = nn.NewAdam(s.ActorParams, c.PolicyLR)
	s.AlphaOpt = nn.NewAdam([]*nn.Param[float32]{s.LogAlpha}, c.QLR)
	s.train = nn.NewTape[float32](nil)
	s.infer = nn.NewTape[float32](nil)
	s.infer.NoGrad = true
	s.stats = make([]float64, len(SACStatNames))
	return s
}

// StatNames implements Learner.
func (s *SAC) StatNames() []string { return SACStatNames }

// Checkpoint returns the parameters (actor, critics, targets, log α), the critic optimiser and the random
// source. The actor and α optimiser moments are stored as extra tensors ("actor_optim.*", "alpha_optim.*");
// their step counts follow from the critic's (Update re-derives them).
func (s *SAC) Checkpoint() *nn.Checkpoint[float32] {
	ps := append(append(append([]*nn.Param[float32](nil), s.ActorParams...), s.QParams...), s.TargetParams...)
	ps = append(ps, s.LogAlpha)
	for _, o := range []struct {
		name string
		opt  *nn.Adam[float32]
	}{{"actor_optim", s.ActorOpt}, {"alpha_optim", s.AlphaOpt}} {
		for i, p := range o.opt.Params {
			ps = append(ps,
				&nn.Param[float32]{Tensor: nn.FromData(o.opt.M[i], p.Shape()...), Name: o.name + ".m/" + p.Name},
				&nn.Param[float32]{Tensor: nn.FromData(o.opt.V[i], p.Shape()...), Name: o.name + ".v/" + p.Name})
		}
	}
	return &nn.Checkpoint[float32]{Params: ps, Optim: s.QOpt, RNG: s.Src}
}

// dist records the actor trunk on tp for states st ([n, obs]) and returns the mean and log std ([n, act]) of
// the pre-squash Gaussian.
func (s *SAC) dist(tp *nn.Tape[float32], st *nn.Tensor[float32]) (mean, logStd *nn.Tensor[float32]) {
	c := s.Config
	h := tp.ReLU(s.L2.Forward(tp, tp.ReLU(s.L1.Forward(tp, st))))
	half := 0.5 * (c.LogStdMax - c.LogStdMin)
	return s.Mean.Forward(tp, h), tp.AddScalar(tp.Scale(tp.Tanh(s.LogStd.Forward(tp, h)), half), c.LogStdMin+half)
}

// policy records the actor on tp for states st ([n, obs]) and noise eps ([n, act], nil: deterministic mean)
// and returns the actions tanh(u) ([n, act]) and, with noise, log π ([n]).
func (s *SAC) policy(tp *nn.Tape[float32], st, eps *nn.Tensor[float32]) (a, logp *nn.Tensor[float32]) {
	c := s.Config
	mean, ls := s.dist(tp, st)
	if eps == nil {
		return tp.Tanh(mean), nil
	}
	u := tp.Add(mean, tp.Mul(tp.Exp(ls), eps))
	a = tp.Tanh(u)
	// log N(u; mean, std) = Σ(−½ε² − log std − ½ log 2π), since (u − mean)/std = ε.
	base := tp.New(st.Dim(0))
	for i := range base.Data {
		v := 0.0
		for j := 0; j < c.ActDim; j++ {
			e := float64(eps.Data[i*c.ActDim+j])
			v += -0.5*e*e - 0.5*math.Log(2*math.Pi)
		}
		base.Data[i] = float32(v)
	}
	corr := tp.SumAxis(tp.Log(tp.AddScalar(tp.Neg(tp.Square(a)), 1+1e-6)), 1)
	logp = tp.Sub(tp.Sub(base, tp.SumAxis(ls, 1)), corr)
	return a, logp
}

func (s *SAC) noise(tp *nn.Tape[float32], n int) *nn.Tensor[float32] {
	e := tp.New(n, s.Config.ActDim)
	for i := range e.Data {
		e.Data[i] = float32(s.rng.NormFloat64())
	}
	return e
}

// minQ returns min(Q₁, Q₂)(x) ([n]) of the given critics on x = concat(s, a) ([n, obs+act]), differentiable
// (the gradient flows into the smaller head, as torch.min does).
func minQ(tp *nn.Tape[float32], q1n, q2n *BlockMLP[float32], x *nn.Tensor[float32]) *nn.Tensor[float32] {
	n := x.Dim(0)
	q1 := tp.Reshape(q1n.Forward(tp, x), n)
	q2 := tp.Reshape(q2n.Forward(tp, x), n)
	m := tp.New(n)
	for i := range m.Data {
		if q1.Data[i] < q2.Data[i] {
			m.Data[i] = 1
		}
	}
	return tp.Add(q2, tp.Mul(m, tp.Sub(q1, q2)))
}

// Update implements Learner: one critic step, and on every PolicyFrequency-th call PolicyFrequency actor and
// α steps, then the Polyak update of both critic targets.
func (s *SAC) Update(b *Batch) ([]float64, error) {
	c := s.Config
	n, od, ad := b.N, c.ObsDim, c.ActDim
	s.load(b)
	alpha := math.Exp(float64(s.LogAlpha.Data[0]))
	// The actor and α optimisers step twice on every second update (their counts follow the critic's).
	s.ActorOpt.Steps = int64(c.PolicyFrequency) * (s.QOpt.Steps / int64(c.PolicyFrequency))
	s.AlphaOpt.Steps = s.ActorOpt.Steps

	// 1. Target y = r + γ(1 − d)(min Q′(s′, a′) − α log π(a′|s′)), a′ ~ π(·|s′), no gradient.
	it := s.infer
	it.Reset()
	s2 := it.Const(s.s2, n, od)
	a2, lp2 := s.policy(it, s2, s.noise(it, n))
	mq := minQ(it, s.TQ1, s.TQ2, it.Concat(1, s2, a2))
	for i := 0; i < n; i++ {
		s.y[i] = s.r[i] + float32(c.Gamma)*(1-s.done[i])*(mq.Data[i]-float32(alpha)*lp2.Data[i])
	}

	// 2. Critic step.
	tp := s.train
	tp.Reset()
	st := tp.Const(s.s, n, od)
	sa := tp.Concat(1, st, tp.Const(s.a, n, ad))
	y := tp.Const(s.y, n)
	q1 := tp.Reshape(s.Q1.Forward(tp, sa), n)
	q2 := tp.Reshape(s.Q2.Forward(tp, sa), n)
	qLoss := tp.Add(tp.MSE(q1, y), tp.MSE(q2, y))
	nn.ZeroGrad(s.QParams)
	tp.Backward(qLoss)
	if v := float64(qLoss.Data[0]); !isFinite(v) {
		return nil, &DivergenceError{What: "critic loss"}
	}
	s.QOpt.Step()
	st1 := s.stats
	st1[0] = float64(qLoss.Data[0])
	st1[1], st1[2] = meanStd(q1.Data)

	// 3. Delayed actor and α steps.
	if s.QOpt.Steps%int64(c.PolicyFrequency) == 0 {
		for k := 0; k < c.PolicyFrequency; k++ {
			tp.Reset()
			st := tp.Const(s.s, n, od)
			pa, lp := s.policy(tp, st, s.noise(tp, n))
			qpi := minQ(tp, s.Q1, s.Q2, tp.Concat(1, st, pa))
			aLoss := tp.Mean(tp.Sub(tp.Scale(lp, alpha), qpi))
			nn.ZeroGrad(s.ActorParams)
			tp.Backward(aLoss)
			if v := float64(aLoss.Data[0]); !isFinite(v) {
				return nil, &DivergenceError{What: "actor loss"}
			}
			s.ActorOpt.Step()
			st1[3] = float64(aLoss.Data[0])

			// α step on a fresh sample from the updated actor: ∂L_α/∂log α = −α·mean(log π + target entropy... )
			it.Reset()
			_, lpn := s.policy(it, it.Const(s.s, n, od), s.noise(it, n))
			mlp, _ := meanStd(lpn.Data)
			alpha = math.Exp(float64(s.LogAlpha.Data[0]))
			s.LogAlpha.Grad[0] = float32(-alpha * (mlp + c.TargetEntropy))
			s.AlphaOpt.Step()
			st1[5] = -alpha * (mlp + c.TargetEntropy)
			st1[6] = -mlp
			alpha = math.Exp(float64(s.LogAlpha.Data[0]))
		}
	}
	st1[4] = alpha
	if p := firstNonFiniteParam(s.allParams); p != "" {
		return nil, &DivergenceError{What: "parameter " + p}
	}
	nn.Polyak(s.TargetParams, s.QParams, c.Tau)
	return s.stats, nil
}

// Act implements Actor: tanh(mean) when deterministic, else a sample tanh(u), u ~ N(mean, std²).
func (s *SAC) Act(dst, obs []float64, n int, deterministic bool) {
	c := s.Config
	if len(obs) != n*c.ObsDim || len(dst) != n*c.ActDim {
		panic(fmt.Sprintf("agents: SAC.Act: obs %d, dst %d entries for n=%d, obs dim %d, act dim %d",
			len(obs), len(dst), n, c.ObsDim, c.ActDim))
	}
	tp := s.infer
	tp.Reset()
	st := tp.New(n, c.ObsDim)
	for i, v := range obs {
		st.Data[i] = float32(v)
	}
	var eps *nn.Tensor[float32]
	if !deterministic {
		eps = s.noise(tp, n)
	}
	a, _ := s.policy(tp, st, eps)
	for i, v := range a.Data {
		dst[i] = float64(v)
	}
}

func (s *SAC) load(b *Batch) {
	n, od, ad := b.N, s.Config.ObsDim, s.Config.ActDim
	if len(b.Obs) != n*od || len(b.Act) != n*ad {
		panic(fmt.Sprintf("agents: SAC.Update: batch obs %d act %d entries, want %d×%d and %d×%d",
			len(b.Obs), len(b.Act), n, od, n, ad))
	}
	s.s, s.s2, s.a = b.Obs, b.Next, b.Act
	s.r, s.done = b.Rew, b.Done
	if len(s.y) != n {
		s.y = make([]float32, n)
	}
}
