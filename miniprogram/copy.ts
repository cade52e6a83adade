/** Every Chinese string the customer reads, in one place. */
export const copy = {
  home: {
    title: '近期活动',
    loading: '正在加载活动…',
    empty: '暂无进行中的活动',
    retry: '重新加载',
    full: '已满',
    remaining: (n: number) => `剩余 ${n} 席`,
  },
  errors: {
    network: '网络不可用，请稍后重试',
    unexpected: '服务暂时不可用，请稍后重试',
  },
};
