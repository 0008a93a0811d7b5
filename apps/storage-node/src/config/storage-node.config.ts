import { baseConfigShape, configVars, loadConfigOrExit } from '@shardcast/platform';
import { z } from 'zod';
import { parsePeerList } from '../peers/domain/peer-list.parser.js';
import { parseStaticShardSelection } from '../replicas/domain/static-shard-map.js';

const { positiveInt, nonNegativeInt, flag, parsedText } = configVars;

export const storageNodeConfigShape = {
  ...baseConfigShape({ name: 'storage-node', defaultPort: 4100 }),
  NODE_ID: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, 'a-z, 0-9 and "-", at most 64 characters')
    .default('node-1')
    .describe('this storage-node’s id, unique in the cluster'),
  FAST_TIER_DIR: z
    .string()
    .min(1)
    .default('.run/nodes/node-1/fast')
    .describe('directory of the fast tier (SSD/NVMe)'),
  SLOW_TIER_DIR: z
    .string()
    .min(1)
    .default('.run/nodes/node-1/slow')
    .describe('directory of the slow tier (HDD)'),
  KV_LOG_PARTITIONS: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(16)
    .describe(
      'P, the partition count of kv.log; fixed for the cluster’s life (checked against the topic at start)',
    ),
  SHARD_COUNT: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(16)
    .describe(
      'shards of the static shard map (equal hash ranges shard-000…), used until the shard-manager assigns shards',
    ),
  STATIC_SHARDS: parsedText('all', parseStaticShardSelection).describe(
    'static shards this node creates on its first start: "all", "none" or a comma list such as shard-000,shard-003',
  ),
  STATIC_SHARD_TIER: z
    .enum(['fast', 'slow'])
    .default('fast')
    .describe('tier of the replicas the static map creates'),
  PEERS: parsedText('', parsePeerList).describe(
    'other storage-nodes, for forwarding and checkpoint backups: node-2=http://127.0.0.1:4101,node-3=http://…',
  ),
  FOLLOW_SHARDMAP: flag(true).describe('act on `shardmap` events that assign or remove shards of this node'),
  MAX_VALUE_BYTES: positiveInt(1024 * 1024).describe('largest value a PUT accepts, in bytes'),
  MAX_BATCH_BYTES: positiveInt(8 * 1024 * 1024).describe('largest batch-write request body, in bytes'),
  MAX_BATCH_OPERATIONS: positiveInt(1000).describe('most operations in one batch write'),
  PRODUCE_LINGER_MS: nonNegativeInt(0).describe(
    'extra wait before sending a produce batch; 0 sends at once when no send is in flight (writes arriving meanwhile form the next batch)',
  ),
  PRODUCE_MAX_BATCH_RECORDS: positiveInt(2000).describe('most records in one produce request'),
  PRODUCERS: z.coerce
    .number()
    .int()
    .min(1)
    .max(16)
    .default(2)
    .describe(
      'idempotent producers writing kv.log in parallel (kafkajs keeps one request in flight per producer and broker)',
    ),
  WRITE_TIMEOUT_MS: positiveInt(10_000).describe(
    'how long a write waits for Kafka (and, when conditional, for its apply) before 503',
  ),
  READ_WAIT_TIMEOUT_MS: positiveInt(5_000).describe(
    'how long a read waits for a token or strong read target to be applied before 503',
  ),
  FORWARD_TIMEOUT_MS: positiveInt(10_000).describe('timeout of a request forwarded to a peer'),
  APPLY_PARTITIONS_CONCURRENTLY: positiveInt(4).describe('kv.log partitions applied concurrently'),
  APPLY_FETCH_MIN_BYTES: positiveInt(1).describe(
    'bytes the broker gathers before answering an apply fetch (up to APPLY_FETCH_MAX_WAIT_MS): larger means fewer, bigger apply batches under load and a little more apply latency when idle',
  ),
  APPLY_FETCH_MAX_WAIT_MS: positiveInt(250).describe(
    'longest the broker holds an apply fetch waiting for APPLY_FETCH_MIN_BYTES',
  ),
  RETIRED_REPLICA_GRACE_MS: nonNegativeInt(10_000).describe(
    'how long a replica the shard map no longer assigns stays on disk (unserved) as a copy source for splits and merges',
  ),
  ACCESS_SUMMARY_INTERVAL_MS: nonNegativeInt(1_000).describe(
    'access summary window published to `access`; 0 disables',
  ),
  NODE_HEALTH_INTERVAL_MS: nonNegativeInt(5_000).describe('node-health sample interval; 0 disables'),
  BACKUP_COPIES: positiveInt(2).describe('copies of every checkpoint chunk, each on a distinct backup node'),
  RESTORE_PARALLELISM: positiveInt(4).describe('chunk fetches in flight during a restore'),
};

export type StorageNodeConfig = z.output<z.ZodObject<typeof storageNodeConfigShape>>;

export const loadStorageNodeConfig = (): StorageNodeConfig => loadConfigOrExit(storageNodeConfigShape);

/** Injection token of the parsed config inside the storage-node's modules. */
export const STORAGE_NODE_CONFIG = Symbol('STORAGE_NODE_CONFIG');
