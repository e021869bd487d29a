/** Types for packRanks.mjs (the build imports it as plain JS). */
export declare const PACKED_RANKS_MAGIC: string;
export declare function packRanks(json: Buffer): Buffer;
