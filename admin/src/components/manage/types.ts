import type { Rule } from '../../../../typings/pipeline';

/** Answers of the admin API that typings/admin.ts does not name. */
export interface ChannelItem {
  channelId: string;
  type: string;
  name: string;
  cost: number;
  createdAt: string | null;
}

export interface RuleItem extends Rule {
  ruleId: string;
}
