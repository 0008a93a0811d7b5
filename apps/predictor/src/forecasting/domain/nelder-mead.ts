export interface NelderMeadOptions {
  /** Initial simplex edge along each axis. */
  readonly step?: number;
  readonly maxEvaluations?: number;
  /** Stop when the simplex's values differ by less than this, relative to the best. */
  readonly tolerance?: number;
}

export interface Minimum {
  readonly point: number[];
  readonly value: number;
  readonly evaluations: number;
}

/**
 * Derivative-free minimisation (Nelder-Mead with the standard reflection 1, expansion 2,
 * contraction ½ and shrink ½). Used to refine smoothing parameters, where the objective
 * is a recursive filter's SSE with no convenient gradient.
 */
export function minimiseNelderMead(
  objective: (point: readonly number[]) => number,
  start: readonly number[],
  options: NelderMeadOptions = {},
): Minimum {
  const step = options.step ?? 0.5;
  const maxEvaluations = options.maxEvaluations ?? 200 * Math.max(1, start.length);
  const tolerance = options.tolerance ?? 1e-9;
  const dimension = start.length;
  let evaluations = 0;
  const evaluate = (point: number[]): number => {
    evaluations += 1;
    const value = objective(point);
    return Number.isFinite(value) ? value : Number.MAX_VALUE;
  };

  let simplex: { point: number[]; value: number }[] = [{ point: [...start], value: evaluate([...start]) }];
  for (let i = 0; i < dimension; i += 1) {
    const point = [...start];
    point[i] = (point[i] as number) + step;
    simplex.push({ point, value: evaluate(point) });
  }
  if (dimension === 0) return { point: [], value: simplex[0]?.value ?? Number.NaN, evaluations };

  const combine = (a: readonly number[], b: readonly number[], weight: number): number[] =>
    a.map((ai, i) => ai + weight * ((b[i] as number) - ai));

  while (evaluations < maxEvaluations) {
    simplex.sort((x, y) => x.value - y.value);
    const best = simplex[0] as { point: number[]; value: number };
    const worst = simplex[dimension] as { point: number[]; value: number };
    const secondWorst = simplex[dimension - 1] as { point: number[]; value: number };
    if (Math.abs(worst.value - best.value) <= tolerance * (Math.abs(best.value) + 1e-12)) break;

    const centroid = new Array<number>(dimension).fill(0);
    for (let v = 0; v < dimension; v += 1) {
      const p = (simplex[v] as { point: number[] }).point;
      for (let i = 0; i < dimension; i += 1)
        centroid[i] = (centroid[i] as number) + (p[i] as number) / dimension;
    }

    const reflected = combine(centroid, worst.point, -1);
    const reflectedValue = evaluate(reflected);
    if (reflectedValue < best.value) {
      const expanded = combine(centroid, worst.point, -2);
      const expandedValue = evaluate(expanded);
      simplex[dimension] =
        expandedValue < reflectedValue
          ? { point: expanded, value: expandedValue }
          : { point: reflected, value: reflectedValue };
      continue;
    }
    if (reflectedValue < secondWorst.value) {
      simplex[dimension] = { point: reflected, value: reflectedValue };
      continue;
    }
    const outside = reflectedValue < worst.value;
    const contracted = combine(centroid, outside ? reflected : worst.point, 0.5);
    const contractedValue = evaluate(contracted);
    if (contractedValue < (outside ? reflectedValue : worst.value)) {
      simplex[dimension] = { point: contracted, value: contractedValue };
      continue;
    }
    simplex = simplex.map((vertex, index) => {
      if (index === 0) return vertex;
      const point = combine(best.point, vertex.point, 0.5);
      return { point, value: evaluate(point) };
    });
  }
  simplex.sort((x, y) => x.value - y.value);
  const best = simplex[0] as { point: number[]; value: number };
  return { point: best.point, value: best.value, evaluations };
}
