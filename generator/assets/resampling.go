package assets

import (
	"math"

	"github.com/disintegration/gift"
)

// resamplers are Hugo's resampling filters by their lower-case names:
// gift's own, and the kernels Hugo adds (the BC-splines and windowed
// sincs of image processing textbooks).
var resamplers = map[string]gift.Resampling{
	"nearestneighbor":   gift.NearestNeighborResampling,
	"box":               gift.BoxResampling,
	"linear":            gift.LinearResampling,
	"lanczos":           gift.LanczosResampling,
	"catmullrom":        bcSpline(0, 0.5),
	"mitchellnetravali": bcSpline(1.0/3, 1.0/3),
	"hermite":           bcSpline(0, 0),
	"bspline":           bcSpline(1, 0),
	"gaussian":          kernel{2, func(x float64) float64 { return math.Exp(-2 * x * x) }},
	"hann":              windowedSinc(func(x float64) float64 { return 0.5 + 0.5*math.Cos(math.Pi*x/3) }),
	"hamming":           windowedSinc(func(x float64) float64 { return 0.54 + 0.46*math.Cos(math.Pi*x/3) }),
	"blackman": windowedSinc(func(x float64) float64 {
		return 0.42 - 0.5*math.Cos(math.Pi*x/3-math.Pi) + 0.08*math.Cos(2*math.Pi*x/3-2*math.Pi)
	}),
	"bartlett": windowedSinc(func(x float64) float64 { return 1 - math.Abs(x)/3 }),
	"welch":    windowedSinc(func(x float64) float64 { return 1 - x*x/9 }),
	"cosine":   windowedSinc(func(x float64) float64 { return math.Cos(math.Pi * x / 6) }),
}

type kernel struct {
	support float32
	k       func(x float64) float64
}

func (k kernel) Support() float32 { return k.support }

func (k kernel) Kernel(x float32) float32 {
	ax := math.Abs(float64(x))
	if ax >= float64(k.support) {
		return 0
	}
	return float32(k.k(ax))
}

// bcSpline is Mitchell and Netravali's family of cubic filters.
func bcSpline(b, c float64) gift.Resampling {
	return kernel{2, func(x float64) float64 {
		switch {
		case x < 1:
			return ((12-9*b-6*c)*x*x*x + (-18+12*b+6*c)*x*x + (6 - 2*b)) / 6
		case x < 2:
			return ((-b-6*c)*x*x*x + (6*b+30*c)*x*x + (-12*b-48*c)*x + (8*b + 24*c)) / 6
		}
		return 0
	}}
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// windowedSinc is a sinc filter of support 3 under window w.
func windowedSinc(w func(float64) float64) gift.Resampling {
	return kernel{3, func(x float64) float64 { return sinc(x) * w(x) }}
}
