export interface NodeRisk {
  readonly nodeId: string;
  /** Calibrated probability of failure within the horizon. */
  readonly probability: number;
  readonly labels: Readonly<Record<string, string>>;
}

export interface GroupRisk {
  /** The label's value (e.g. the zone's name); null groups the nodes without the label. */
  readonly value: string | null;
  readonly nodes: number;
  /** 1 − Π(1 − pᵢ): probability that at least one node in the group fails. */
  readonly probabilityAnyFails: number;
  /** Σ pᵢ: expected number of failures within the horizon. */
  readonly expectedFailures: number;
  readonly riskiestNodeId: string;
  readonly riskiestProbability: number;
}

/**
 * Node risks rolled up by a placement label (`zone`, `region`, `rack`), riskiest group first.
 *
 * Assumes nodes fail independently. Within a zone that is optimistic: a power or network
 * event takes several nodes together, which node-level health cannot foresee. Read
 * probabilityAnyFails as a lower bound and keep replicas across zones regardless.
 */
export function aggregateRiskByLabel(nodes: readonly NodeRisk[], labelKey: string): GroupRisk[] {
  const groups = new Map<string | null, NodeRisk[]>();
  for (const node of nodes) {
    if (!(node.probability >= 0 && node.probability <= 1)) {
      throw new RangeError(`node ${node.nodeId}: probability must be in [0, 1]`);
    }
    const value = node.labels[labelKey] ?? null;
    const members = groups.get(value);
    if (members) members.push(node);
    else groups.set(value, [node]);
  }
  return [...groups.entries()]
    .map(([value, members]) => {
      const riskiest = members.reduce((a, b) => (b.probability > a.probability ? b : a));
      return {
        value,
        nodes: members.length,
        probabilityAnyFails: 1 - members.reduce((none, n) => none * (1 - n.probability), 1),
        expectedFailures: members.reduce((total, n) => total + n.probability, 0),
        riskiestNodeId: riskiest.nodeId,
        riskiestProbability: riskiest.probability,
      };
    })
    .sort(
      (a, b) =>
        b.probabilityAnyFails - a.probabilityAnyFails || String(a.value).localeCompare(String(b.value)),
    );
}
