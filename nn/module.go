package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Param is a named trainable tensor. Its Grad buffer is owned by the
// parameter and accumulates over Backward calls until ZeroGrad.
type Param[F Float] struct {
	*Tensor[F]
	// Name identifies the parameter in checkpoints, e.g. "policy.0.weight".
	Name string
}

// NewParam returns a zero-valued parameter of the given shape with a zeroed
// gradient buffer.
func NewParam[F Float](name string, shape ...int) *Param[F] {
	t := NewTensor[F](shape...)
	t.RequireGrad()
	return &Param[F]{Tensor: t, Name: name}
}

// Module is anything that owns parameters. Params returns them in a fixed
// order with unique names.
type Module[F Float] interface {
	Params() []*Param[F]
}

// Collect concatenates the parameters of several modules, in order.
func Collect[F Float](ms ...Module[F]) []*Param[F] {
	var ps []*Param[F]
	for _, m := range ms {
		ps = append(ps, m.Params()...)
	}
	return ps
}

// LayerNorm is a LayerNorm module over the last axis with affine parameters
// (γ initialised to 1, β to 0).
type LayerNorm[F Float] struct {
	// Gamma and Beta are the scale and shift [D].
	Gamma, Beta *Param[F]
	// Eps is added to the variance (PyTorch default 1e−5).
	Eps    float64
	params []*Param[F]
}

// NewLayerNorm returns a LayerNorm over dim features with parameters named
// name+".weight" and name+".bias".
func NewLayerNorm[F Float](name string, dim int) *LayerNorm[F] {
	l := &LayerNorm[F]{Gamma: NewParam[F](name+".weight", dim), Beta: NewParam[F](name+".bias", dim), Eps: 1e-5}
	for i := range l.Gamma.Data {
		l.Gamma.Data[i] = 1
	}
	l.params = []*Param[F]{l.Gamma, l.Beta}
	return l
}

// Params returns [Gamma, Beta].
func (l *LayerNorm[F]) Params() []*Param[F] { return l.params }

// Forward normalises x [..., D].
func (l *LayerNorm[F]) Forward(tp *Tape[F], x *Tensor[F]) *Tensor[F] {
	return tp.LayerNorm(x, l.Gamma.Tensor, l.Beta.Tensor, l.Eps)
}

// ParamsByName returns the parameters keyed by name; it panics on a duplicate
// name (a programmer error: checkpoints need unique names).
func ParamsByName[F Float](ps []*Param[F]) map[string]*Param[F] {
	m := make(map[string]*Param[F], len(ps))
	for _, p := range ps {
		if _, dup := m[p.Name]; dup {
			panic(fmt.Sprintf("nn: duplicate parameter name %q", p.Name))
		}
		m[p.Name] = p
	}
	return m
}

// ZeroGrad sets the gradient of every parameter to zero.
func ZeroGrad[F Float](ps []*Param[F]) {
	for _, p := range ps {
		clear(p.Grad)
	}
}

// NumParams returns the total number of scalar parameters in ps.
func NumParams[F Float](ps []*Param[F]) int {
	n := 0
	for _, p := range ps {
		n += len(p.Data)
	}
	return n
}

func checkPaired[F Float](dst, src []*Param[F], name string) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("nn: %s: %d destination parameters, %d source parameters", name, len(dst), len(src)))
	}
	for i := range dst {
		if !sameShape(dst[i].Tensor, src[i].Tensor) {
			panic(fmt.Sprintf("nn: %s: parameter %q has shape %v, source %q has %v", name, dst[i].Name, dst[i].Shape(), src[i].Name, src[i].Shape()))
		}
	}
}

// CopyParams copies the values of src into dst (hard target update). The
// lists are matched by position and must have equal shapes.
func CopyParams[F Float](dst, src []*Param[F]) {
	checkPaired(dst, src, "CopyParams")
	for i := range dst {
		copy(dst[i].Data, src[i].Data)
	}
}

// Polyak sets dst ← (1−tau)·dst + tau·src for every parameter pair (soft
// target update / exponential moving average with rate tau ∈ [0, 1]).
func Polyak[F Float](dst, src []*Param[F], tau float64) {
	checkPaired(dst, src, "Polyak")
	a, b := F(1-tau), F(tau)
	for i := range dst {
		d, s := dst[i].Data, src[i].Data
		for j := range d {
			d[j] = a*d[j] + b*s[j]
		}
	}
}

// InitKind selects a weight initialisation scheme.
type InitKind uint8

const (
	// InitPyTorch draws weight and bias from U(−1/√in, 1/√in), PyTorch's
	// nn.Linear default.
	InitPyTorch InitKind = iota
	// InitOrthogonal makes the weight a (semi-)orthogonal matrix times Gain
	// and the bias zero.
	InitOrthogonal
	// InitZero makes weight and bias zero.
	InitZero
	// InitUniform draws weight and bias from U(−Gain, Gain).
	InitUniform
)

// Init describes how a Linear layer is initialised.
type Init struct {
	Kind InitKind
	// Gain scales orthogonal weights, or is the bound of InitUniform.
	Gain float64
}

// Orthogonal returns an orthogonal initialisation with the given gain.
func Orthogonal(gain float64) Init { return Init{Kind: InitOrthogonal, Gain: gain} }

// Linear is an affine layer y = x·Wᵀ + b with W [out, in] and b [out]
// (PyTorch layout).
type Linear[F Float] struct {
	// W is the weight [out, in]; B the bias [out] (nil without bias).
	W, B   *Param[F]
	params []*Param[F]
}

// NewLinear returns a layer from in to out features with parameters named
// name+".weight" and name+".bias", initialised as init says from rng.
func NewLinear[F Float](name string, in, out int, init Init, rng *rand.Rand) *Linear[F] {
	l := &Linear[F]{
		W: NewParam[F](name+".weight", out, in),
		B: NewParam[F](name+".bias", out),
	}
	l.params = []*Param[F]{l.W, l.B}
	l.Reset(init, rng)
	return l
}

// Reset re-initialises the layer's parameters.
func (l *Linear[F]) Reset(init Init, rng *rand.Rand) {
	out, in := l.W.shape[0], l.W.shape[1]
	switch init.Kind {
	case InitPyTorch, InitUniform:
		bound := 1 / math.Sqrt(float64(max(in, 1)))
		if init.Kind == InitUniform {
			bound = init.Gain
		}
		for i := range l.W.Data {
			l.W.Data[i] = F((2*rng.Float64() - 1) * bound)
		}
		for i := range l.B.Data {
			l.B.Data[i] = F((2*rng.Float64() - 1) * bound)
		}
	case InitOrthogonal:
		orthogonal(l.W.Data, out, in, init.Gain, rng)
		clear(l.B.Data)
	case InitZero:
		clear(l.W.Data)
		clear(l.B.Data)
	default:
		panic(fmt.Sprintf("nn: unknown init kind %d", init.Kind))
	}
}

// orthogonal fills w [r, c] with a gain-scaled matrix with orthonormal rows
// (r ≤ c) or columns (r > c), from the QR decomposition of a Gaussian matrix
// with the sign correction of Mezzadri (2007).
func orthogonal[F Float](w []F, r, c int, gain float64, rng *rand.Rand) {
	if r == 0 || c == 0 {
		return
	}
	tall := r >= c
	m, n := r, c
	if !tall {
		m, n = c, r
	}
	g := mat.NewDense(m, n, nil)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q, rr mat.Dense
	qr.QTo(&q)
	qr.RTo(&rr)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			v := q.At(i, j)
			if rr.At(j, j) < 0 {
				v = -v
			}
			if tall {
				w[i*c+j] = F(gain * v)
			} else {
				w[j*c+i] = F(gain * v)
			}
		}
	}
}

// Params returns [W, B].
func (l *Linear[F]) Params() []*Param[F] { return l.params }

// Forward returns x·Wᵀ + b for x [..., in]; the result is [..., out].
func (l *Linear[F]) Forward(tp *Tape[F], x *Tensor[F]) *Tensor[F] {
	return tp.Linear(x, l.W.Tensor, l.B.Tensor)
}

// Activation selects an element-wise non-linearity.
type Activation uint8

const (
	// ActReLU is max(x, 0).
	ActReLU Activation = iota
	// ActTanh is tanh.
	ActTanh
	// ActGELU is the exact (erf) GELU.
	ActGELU
	// ActSiLU is x·σ(x).
	ActSiLU
	// ActSwish is x·σ(β⊙x) with a learnable per-unit β initialised to 1.
	ActSwish
	// ActSigmoid is σ(x).
	ActSigmoid
	// ActIdentity leaves its input unchanged.
	ActIdentity
)

// Activate applies activation a to x; beta ([D], learnable per-unit slopes)
// is used only by ActSwish.
func Activate[F Float](tp *Tape[F], a Activation, x, beta *Tensor[F]) *Tensor[F] {
	switch a {
	case ActReLU:
		return tp.ReLU(x)
	case ActTanh:
		return tp.Tanh(x)
	case ActGELU:
		return tp.GELU(x)
	case ActSiLU:
		return tp.SiLU(x)
	case ActSwish:
		return tp.Swish(x, beta)
	case ActSigmoid:
		return tp.Sigmoid(x)
	case ActIdentity:
		return x
	}
	panic(fmt.Sprintf("nn: unknown activation %d", a))
}

// MLPConfig describes a multi-layer perceptron.
type MLPConfig struct {
	// Sizes lists the widths: input, hidden..., output (at least two).
	Sizes []int
	// Activation follows every hidden layer.
	Activation Activation
	// LayerNorm adds a LayerNorm (with affine parameters) after every hidden
	// Linear, before the activation.
	LayerNorm bool
	// Dropout is the drop probability applied after every hidden Linear (before
	// LayerNorm and activation, as in DroQ); 0 disables it.
	Dropout float64
	// Init initialises hidden layers; OutputInit the last layer.
	Init, OutputInit Init
}

// MLP is a stack of Linear layers: hidden layers are
// Linear → Dropout → LayerNorm → activation; the output layer is linear.
type MLP[F Float] struct {
	// Config is the configuration the MLP was built with.
	Config MLPConfig
	// Layers are the Linear layers, input to output.
	Layers []*Linear[F]
	// Norms holds the LayerNorm scales and shifts (γ, β) of each hidden layer
	// when Config.LayerNorm is set.
	Norms [][2]*Param[F]
	// Betas holds the Swish β of each hidden layer when the activation is
	// ActSwish.
	Betas  []*Param[F]
	params []*Param[F]
}

// NewMLP builds an MLP whose parameters are named name+".<layer>.weight" etc.
func NewMLP[F Float](name string, cfg MLPConfig, rng *rand.Rand) *MLP[F] {
	if len(cfg.Sizes) < 2 {
		panic(fmt.Sprintf("nn: NewMLP: need at least two sizes, got %v", cfg.Sizes))
	}
	m := &MLP[F]{Config: cfg}
	cfg.Sizes = append([]int(nil), cfg.Sizes...)
	m.Config = cfg
	nl := len(cfg.Sizes) - 1
	for i := 0; i < nl; i++ {
		init := cfg.Init
		if i == nl-1 {
			init = cfg.OutputInit
		}
		l := NewLinear[F](fmt.Sprintf("%s.%d", name, i), cfg.Sizes[i], cfg.Sizes[i+1], init, rng)
		m.Layers = append(m.Layers, l)
		m.params = append(m.params, l.params...)
		if i == nl-1 {
			break
		}
		w := cfg.Sizes[i+1]
		if cfg.LayerNorm {
			g := NewParam[F](fmt.Sprintf("%s.ln%d.weight", name, i), w)
			for j := range g.Data {
				g.Data[j] = 1
			}
			b := NewParam[F](fmt.Sprintf("%s.ln%d.bias", name, i), w)
			m.Norms = append(m.Norms, [2]*Param[F]{g, b})
			m.params = append(m.params, g, b)
		}
		if cfg.Activation == ActSwish {
			b := NewParam[F](fmt.Sprintf("%s.swish%d.beta", name, i), w)
			for j := range b.Data {
				b.Data[j] = 1
			}
			m.Betas = append(m.Betas, b)
			m.params = append(m.params, b)
		}
	}
	return m
}

// Params returns all parameters in construction order.
func (m *MLP[F]) Params() []*Param[F] { return m.params }

// Forward applies the MLP to x [..., in]; the result is [..., out]. Dropout
// is active only when tp.Training is set.
func (m *MLP[F]) Forward(tp *Tape[F], x *Tensor[F]) *Tensor[F] {
	nl := len(m.Layers)
	for i, l := range m.Layers {
		x = l.Forward(tp, x)
		if i == nl-1 {
			break
		}
		x = tp.Dropout(x, m.Config.Dropout)
		if m.Config.LayerNorm {
			x = tp.LayerNorm(x, m.Norms[i][0].Tensor, m.Norms[i][1].Tensor, 1e-5)
		}
		var beta *Tensor[F]
		if m.Config.Activation == ActSwish {
			beta = m.Betas[i].Tensor
		}
		x = Activate(tp, m.Config.Activation, x, beta)
	}
	return x
}
