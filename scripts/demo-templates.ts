import type { ActivityTemplateDoc } from '../cloudfunctions/admin/templates';

/**
 * The demo's activity templates, in the manner of 活动云平台's samples: a store open day and a
 * product tasting, each with the catalogue fields it needs and questions of its own.
 */
export function demoTemplates(now: Date): ActivityTemplateDoc[] {
  return [
    {
      _id: 'tpl-demo-open-day',
      name: '门店开放日（活动云平台样例）',
      title: '门店开放日',
      description:
        '到店参观体验，了解新品与会员权益。\n流程：签到 → 门店导览 → 新品体验 → 抽奖。\n报名后凭签到码入场，名额有限。',
      place: '',
      coverUrl: null,
      capacity: 50,
      durationMinutes: 180,
      deadlineMinutesBefore: 120,
      fields: ['name', 'phone', 'city'],
      customFields: [
        { id: 'c_demovisit', label: '预计到店人数', type: 'number', required: true },
        {
          id: 'c_demointer',
          label: '感兴趣的内容',
          type: 'multiple',
          required: false,
          options: ['新品体验', '会员权益', '课程活动', '企业采购'],
        },
        { id: 'c_demostore', label: '就近门店', type: 'store', required: false },
      ],
      createdBy: 'demo',
      createdAt: new Date(now.getTime() - 40 * 86_400_000),
    },
    {
      _id: 'tpl-demo-tasting',
      name: '新品品鉴会',
      title: '新品品鉴会',
      description: '品鉴当季新品，与咖啡师面对面交流。活动约 2 小时，现场提供茶歇。',
      place: '',
      coverUrl: null,
      capacity: 30,
      durationMinutes: 120,
      deadlineMinutesBefore: 60,
      fields: ['name', 'phone', 'company', 'industry'],
      customFields: [
        {
          id: 'c_demotaste',
          label: '口味偏好',
          type: 'single',
          required: true,
          options: ['偏酸', '偏苦', '都可以'],
        },
        { id: 'c_demodate', label: '方便的日期', type: 'date', required: false },
        { id: 'c_demonote', label: '想对咖啡师说', type: 'longtext', required: false },
      ],
      createdBy: 'demo',
      createdAt: new Date(now.getTime() - 20 * 86_400_000),
    },
  ];
}
