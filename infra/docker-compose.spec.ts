import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}

// Compose cannot run on a machine without a Docker engine; this checks what can be checked
// without one: the file parses (anchors and merges resolved) and wires every service.
const compose = parse(readFileSync(new URL('./docker-compose.yml', import.meta.url), 'utf8'), {
  merge: true,
}) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const apps = readdirSync(new URL('../apps/', import.meta.url));

describe('infra/docker-compose.yml', () => {
  it('runs Kafka from the official image in KRaft mode, and Postgres', () => {
    expect(compose.services.kafka?.image).toMatch(/^apache\/kafka:4\./);
    expect(compose.services.kafka?.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(compose.services.postgres?.image).toMatch(/^postgres:/);
  });

  it('builds every app of the repo from the one Dockerfile', () => {
    const built = new Set(
      Object.values(compose.services)
        .map((s) => s.build?.args?.SERVICE)
        .filter(Boolean),
    );
    expect([...built].sort()).toEqual([...apps].sort());
    for (const service of Object.values(compose.services).filter((s) => s.build)) {
      expect(service.build?.dockerfile).toBe('infra/Dockerfile');
    }
  });

  it('has three storage-nodes with distinct ids, ports and their own fast and slow volumes', () => {
    const nodes = Object.entries(compose.services).filter(
      ([, s]) => s.build?.args?.SERVICE === 'storage-node',
    );
    expect(nodes).toHaveLength(3);
    const ids = nodes.map(([, s]) => s.environment?.NODE_ID);
    expect(new Set(ids).size).toBe(3);
    expect(new Set(nodes.map(([, s]) => s.environment?.PORT)).size).toBe(3);
    const volumes = nodes.flatMap(([, s]) => s.volumes ?? []).map((v) => v.split(':')[0]);
    expect(new Set(volumes).size).toBe(6);
    for (const volume of volumes) expect(compose.volumes).toHaveProperty(volume!);
    // Each node knows the other two (forwarding, checkpoint backups) by their compose names.
    for (const [name, node] of nodes) {
      const peers = (node.environment?.PEERS ?? '').split(',').map((p) => p.split('=')[1]);
      const others = nodes
        .filter(([other]) => other !== name)
        .map(([other, o]) => `http://${other}:${o.environment?.PORT}`);
      expect(peers.sort()).toEqual(others.sort());
    }
    for (const [, node] of nodes) {
      expect(node.volumes?.map((v) => v.split(':')[1]).sort()).toEqual(
        [node.environment?.FAST_TIER_DIR, node.environment?.SLOW_TIER_DIR].sort(),
      );
    }
  });

  it('points every service at the broker and Postgres, after the topics exist', () => {
    for (const [name, service] of Object.entries(compose.services).filter(
      ([, s]) => s.build?.args?.SERVICE && s.environment?.PORT,
    )) {
      expect(service.environment?.KAFKA_BROKERS, name).toBe('kafka:9092');
      expect(service.environment?.DATABASE_URL, name).toMatch(/@postgres:5432\//);
      expect(service.depends_on?.topics?.condition, name).toBe('service_completed_successfully');
    }
  });
});
