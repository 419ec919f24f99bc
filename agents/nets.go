package agents

import (
	"fmt"
	"math/rand/v2"

	"github.com/boltzflow/boltzflow/nn"
)

// InitKind selects the weight initialisation of a BlockMLP (meow.md §5.1). Biases always keep PyTorch's default
// U(±1/√fan_in).
type InitKind int

const (
	// InitDefault is PyTorch's nn.Linear default for weights and biases.
	InitDefault InitKind = iota
	// InitZeroWeights sets every weight to 0: at initialisation the net outputs its last bias for any input.
	InitZeroWeights
	// InitOrthogonalWeights makes every weight orthogonal with gain 1.
	InitOrthogonalWeights
)

// BlockMLP is the MLP building block of the MEow reference: every hidden block is
// Linear → [LayerNorm] → activation → [Dropout], then a final Linear. (nn.MLP orders dropout before LayerNorm,
// as in DroQ; MEow needs it after the activation.) It implements ebflow.Net.
type BlockMLP[F nn.Float] struct {
	Linears []*nn.Linear[F]
	Norms   [][2]*nn.Param[F] // LayerNorm γ, β per hidden block (if LayerNorm)
	Betas   []*nn.Param[F]    // Swish β per hidden block (if ActSwish)
	Act     nn.Activation
	Dropout float64
	params  []*nn.Param[F]
}

// NewBlockMLP builds a BlockMLP with layer widths sizes (input, hidden…, output), parameters named
// name+".<i>.weight" etc., drawing initial values from rng.
func NewBlockMLP[F nn.Float](name string, sizes []int, act nn.Activation, layerNorm bool, dropout float64, init InitKind, rng *rand.Rand) *BlockMLP[F] {
	if len(sizes) < 2 {
		panic(fmt.Sprintf("agents: NewBlockMLP %s: need at least two sizes, got %v", name, sizes))
	}
	m := &BlockMLP[F]{Act: act, Dropout: dropout}
	for i := 0; i+1 < len(sizes); i++ {
		l := nn.NewLinear[F](fmt.Sprintf("%s.%d", name, i), sizes[i], sizes[i+1], nn.Init{Kind: nn.InitPyTorch}, rng)
		switch init {
		case InitZeroWeights:
			clear(l.W.Data)
		case InitOrthogonalWeights:
			o := nn.NewLinear[F]("tmp", sizes[i], sizes[i+1], nn.Orthogonal(1), rng)
			copy(l.W.Data, o.W.Data)
		}
		m.Linears = append(m.Linears, l)
		m.params = append(m.params, l.Params()...)
		if i+2 == len(sizes) {
			break
		}
		w := sizes[i+1]
		if layerNorm {
			g := nn.NewParam[F](fmt.Sprintf("%s.ln%d.weight", name, i), w)
			for j := range g.Data {
				g.Data[j] = 1
			}
			b := nn.NewParam[F](fmt.Sprintf("%s.ln%d.bias", name, i), w)
			m.Norms = append(m.Norms, [2]*nn.Param[F]{g, b})
			m.params = append(m.params, g, b)
		}
		if act == nn.ActSwish {
			b := nn.NewParam[F](fmt.Sprintf("%s.swish%d.beta", name, i), w)
			for j := range b.Data {
				b.Data[j] = 1
			}
			m.Betas = append(m.Betas, b)
			m.params = append(m.params, b)
		}
	}
	return m
}

// Forward applies the network to x ([n, in]) and returns [n, out]. Dropout is active only when tp.Training.
func (m *BlockMLP[F]) Forward(tp *nn.Tape[F], x *nn.Tensor[F]) *nn.Tensor[F] {
	last := len(m.Linears) - 1
	for i, l := range m.Linears {
		x = l.Forward(tp, x)
		if i == last {
			break
		}
		if m.Norms != nil {
			x = tp.LayerNorm(x, m.Norms[i][0].Tensor, m.Norms[i][1].Tensor, 1e-5)
		}
		if m.Betas != nil {
			// Swish x·σ(β⊙x), fused: one exp per element, σ and σ' kept for the backward pass.
			x = tp.Swish(x, m.Betas[i].Tensor)
		} else {
			x = nn.Activate(tp, m.Act, x, nil)
		}
		if m.Dropout > 0 {
			x = tp.Dropout(x, m.Dropout)
		}
	}
	return x
}

// Params returns the parameters in construction order.
func (m *BlockMLP[F]) Params() []*nn.Param[F] { return m.params }
