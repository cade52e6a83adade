import { BarChart, FunnelChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

/** Only the charts and components the admin page draws, so the bundle stays small. */
use([FunnelChart, LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export { type EChartsCoreOption, init } from 'echarts/core';

/** TDesign's brand palette, so charts match the buttons and tags around them. */
export const PALETTE = ['#0052d9', '#2ba471', '#e37318', '#d54941', '#7e2ec2', '#029cd4', '#8f959e'];
